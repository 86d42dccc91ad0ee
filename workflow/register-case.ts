import type pg from 'pg';
import { eventIdFor, uuidV5 } from '../lib/ids.js';
import type { AnalyticsEvent, ClassifiedMessage } from '../lib/queues.js';
import { citizenOutbound, type CaseRow } from './lifecycle.js';
import { enqueue, type OutboxRow, type Sql } from './outbox.js';
import { planReminders, scheduleRemindersMany } from './reminders.js';

export const DAY_MS = 24 * 3600 * 1000;

export interface RegisteredCase {
  caseId: string;
  registrationNumber: string;
  status: string;
  registeredAt: Date;
  deadlineAt: Date;
}

export type RegisterResult =
  | { created: true; case: RegisteredCase; events: AnalyticsEvent[] }
  | { created: false; case: RegisteredCase; events: AnalyticsEvent[] };

export const caseIdFor = (messageId: string) => uuidV5(`case:${messageId}`);

/** ПОС counts calendar days from registration, so the deadline ignores weekends and holidays. */
export function deadlineFrom(registeredAt: Date, days: number): Date {
  return new Date(registeredAt.getTime() + days * DAY_MS);
}

/** Channels where the citizen can be answered at once with the registration number. */
const ACKNOWLEDGED_SOURCES = new Set(['telegram', 'widget', 'vk']);

/**
 * Registers a classified message as a case: the message, its contact (kept apart), the case and the first entry
 * of its log, in one transaction — together with the outbox rows for its analytics events, the citizen's
 * «registered» notice and its deadline reminders, so none of them can be lost after the commit. A message already
 * registered (a redelivery, a second HTTP post of the same call) returns the existing case with `created: false`.
 */
export async function registerCase(db: pg.Pool, input: ClassifiedMessage, now: Date,
  opts: { reminderDaysBefore?: number[] } = {}): Promise<RegisterResult> {
  return (await registerCases(db, [input], now, opts))[0]!;
}

type Json = string | null;

/** The key the database keeps a message unique by. */
const keyOf = (m: { source: string; externalId: string }) => `${m.source}\u0000${m.externalId}`;

/**
 * registerCase for a batch, set-based (one statement per table over arrays) in ONE transaction: a page of posts
 * costs a handful of round trips instead of eight per post. Messages repeated inside the batch or already stored
 * are not registered again; their existing case is returned with `created: false`. Results follow `inputs`.
 */
export async function registerCases(db: pg.Pool, inputs: ClassifiedMessage[], now: Date,
  opts: { reminderDaysBefore?: number[] } = {}): Promise<RegisterResult[]> {
  if (inputs.length === 0) return [];
  // One row per message, in messageId order: concurrent batches then take the unique-key locks in the same order
  // and wait for each other instead of deadlocking.
  const byKey = new Map<string, ClassifiedMessage>();
  const idTaken = new Set<string>();
  for (const x of inputs) {
    const key = keyOf(x.message);
    if (byKey.has(key) || idTaken.has(x.message.messageId)) continue;
    byKey.set(key, x);
    idTaken.add(x.message.messageId);
  }
  const batch = [...byKey.values()].sort((a, b) => (a.message.messageId < b.message.messageId ? -1 : 1));
  const registeredAt = now;
  const status = 'moderation';
  const client = await db.connect();
  const created = new Map<string, { case: RegisteredCase; events: AnalyticsEvent[] }>();
  try {
    await client.query('begin');
    const ms = batch.map((x) => x.message);
    const inserted = await client.query<{ id: string }>(
      `insert into messages (id, source, external_id, received_at, text, author_hash, place, link, attachments, provenance, raw)
       select id, source, external_id, received_at, text, author_hash, place::jsonb, link, attachments::jsonb, provenance::jsonb, raw::jsonb
         from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[])
           as t(id, source, external_id, received_at, text, author_hash, place, link, attachments, provenance, raw)
       on conflict do nothing returning id`,
      [ms.map((m) => m.messageId), ms.map((m) => m.source), ms.map((m) => m.externalId), ms.map((m) => m.receivedAt),
        ms.map((m) => m.text), ms.map((m) => m.authorHash), ms.map((m) => JSON.stringify(m.place)), ms.map((m) => m.link ?? null),
        ms.map((m) => JSON.stringify(m.attachments)), ms.map((m) => JSON.stringify(m.provenance)), ms.map((m) => JSON.stringify(m.raw ?? null))],
    );
    const fresh = new Set(inserted.rows.map((r) => r.id));
    const news = batch.filter((x) => fresh.has(x.message.messageId));
    if (news.length > 0) {
      const withContact = news.map((x) => x.message).filter((m) => m.contact.name || m.contact.phone || m.contact.email || m.contact.channelUserId);
      if (withContact.length > 0) {
        await client.query(
          `insert into contacts (message_id, name, phone, email, channel_user_id)
           select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])`,
          [withContact.map((m) => m.messageId), withContact.map((m) => m.contact.name ?? null), withContact.map((m) => m.contact.phone ?? null),
            withContact.map((m) => m.contact.email ?? null), withContact.map((m) => m.contact.channelUserId ?? null)],
        );
      }
      const cs = news.map((x) => x.classification);
      const caseIds = news.map((x) => caseIdFor(x.message.messageId));
      const deadlines = cs.map((c) => deadlineFrom(registeredAt, c.deadlineDays));
      // Numbers are drawn in the batch's order (ordinality), one nextval per case. At least six digits, never cut:
      // lpad(n, 6) would truncate the millionth case's number to an earlier one's.
      const rows = await client.query<{ id: string; registration_number: string }>(
        `insert into cases (id, message_id, registration_number, status, category, confidence, kind, fast_track, deadline_days,
           deadline_rule, federal_service, municipality, model_version, registered_at, deadline_at, incident_id, routing_suggestions)
         select t.id, t.message_id, to_char($3::timestamptz at time zone 'UTC', 'YYYY') || '-'
             || regexp_replace(lpad(nextval('case_number_seq')::text, 12, '0'), '^0{1,6}', ''),
           $4, t.category, t.confidence, t.kind, t.fast_track, t.deadline_days, t.deadline_rule, t.federal_service, t.municipality,
           t.model_version, $3, t.deadline_at, t.incident_id, coalesce(t.routing::jsonb, '[]'::jsonb)
           from unnest($1::uuid[], $2::uuid[], $5::text[], $6::real[], $7::text[], $8::boolean[], $9::int[], $10::text[], $11::text[],
                       $12::text[], $13::text[], $14::timestamptz[], $15::text[], $16::text[]) with ordinality
             as t(id, message_id, category, confidence, kind, fast_track, deadline_days, deadline_rule, federal_service, municipality,
                  model_version, deadline_at, incident_id, routing, ord)
          order by t.ord
         returning id, registration_number`,
        [caseIds, news.map((x) => x.message.messageId), registeredAt, status, cs.map((c) => c.category), cs.map((c) => c.confidence),
          cs.map((c) => c.kind), cs.map((c) => c.fastTrack), cs.map((c) => c.deadlineDays), cs.map((c) => c.deadlineRule),
          cs.map((c) => c.federalService ?? null), news.map((x) => x.classification.municipality ?? x.message.place.municipality ?? null),
          cs.map((c) => c.modelVersion), deadlines, cs.map((c) => c.incidentId ?? null),
          // The routing model's suggestions stay with the case: moderators and coordinators see them, routing uses them.
          cs.map((c): Json => (c.routing?.length ? JSON.stringify(c.routing) : null))],
      );
      const numberOf = new Map(rows.rows.map((r) => [r.id, r.registration_number]));
      const ev = await client.query<{ id: string; case_id: string }>(
        `insert into case_events (case_id, at, actor, type, from_status, to_status, comment, data)
         select t.case_id, $2, 'system', 'registered', null, $3, null, t.data::jsonb
           from unnest($1::uuid[], $4::text[]) as t(case_id, data)
         returning id, case_id`,
        [caseIds, registeredAt, status, cs.map((c) => JSON.stringify({ category: c.category, confidence: c.confidence, fastTrack: c.fastTrack,
          deadlineDays: c.deadlineDays, deadlineRule: c.deadlineRule, modelVersion: c.modelVersion }))],
      );
      const eventRowOf = new Map(ev.rows.map((r) => [r.case_id, r.id]));
      const outbox: OutboxRow[] = [];
      news.forEach((x, i) => {
        const caseId = caseIds[i]!;
        const registered: RegisteredCase = { caseId, registrationNumber: numberOf.get(caseId)!, status, registeredAt, deadlineAt: deadlines[i]! };
        const events = registrationEvents(x, registered);
        created.set(keyOf(x.message), { case: registered, events });
        if (ACKNOWLEDGED_SOURCES.has(x.message.source)) outbox.push(...citizenOutbound(freshCaseRow(x, registered), 'registered', eventRowOf.get(caseId)!));
      });
      // A batch's analytics events leave as one job (one hop for the whole page); a lone case keeps its own job id.
      const events = news.map((x) => created.get(keyOf(x.message))!.events);
      outbox.unshift(news.length === 1
        ? { queue: 'events', name: 'registration', jobId: `reg-${caseIds[0]}`, payload: { events: events[0] } }
        : { queue: 'events', name: 'registration', jobId: `reg-${uuidV5(`registration:${[...caseIds].sort().join(',')}`)}`, payload: { events: events.flat() } });
      await enqueue(client, outbox);
      await scheduleRemindersMany(client, news.map((_, i) => ({ caseId: caseIds[i]!, plan: planReminders(deadlines[i]!, 0, opts.reminderDaysBefore) })), now);
    }
    const existing = batch.filter((x) => !fresh.has(x.message.messageId));
    const found = await findCasesByMessages(client, existing.map((x) => x.message));
    await client.query('commit');
    return inputs.map((x) => {
      const made = created.get(keyOf(x.message));
      // A repeat inside the batch reports the case its first copy made, as "not created" like any redelivery.
      if (made && byKey.get(keyOf(x.message)) === x) return { created: true, ...made };
      const stored = made?.case ?? found.get(keyOf(x.message))
        ?? [...byKey.values()].filter((y) => y.message.messageId === x.message.messageId).map((y) => created.get(keyOf(y.message))?.case ?? found.get(keyOf(y.message)))[0];
      if (!stored) throw new Error(`message ${x.message.source}:${x.message.externalId} exists without a case`);
      return { created: false, case: stored, events: registrationEvents(x, stored) };
    });
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The case as loadCase would read it right after registration (no organization yet), without reading it back. */
function freshCaseRow(x: ClassifiedMessage, r: RegisteredCase): CaseRow {
  const { message: m, classification: c } = x;
  return {
    id: r.caseId, messageId: m.messageId, registrationNumber: r.registrationNumber, status: 'moderation', category: c.category,
    municipality: c.municipality ?? m.place.municipality ?? null, organizationId: null, organizationName: null, executorId: null, version: 0,
    registeredAt: r.registeredAt, deadlineAt: r.deadlineAt, deadlineDays: c.deadlineDays, rating: null, reviewCycle: 0, source: m.source,
    externalId: m.externalId, provenance: m.provenance, messageText: m.text,
    contact: { phone: m.contact.phone ?? null, email: m.contact.email ?? null, channelUserId: m.contact.channelUserId ?? null },
  };
}

async function findCasesByMessages(sql: Sql, ms: { source: string; externalId: string }[]): Promise<Map<string, RegisteredCase>> {
  const out = new Map<string, RegisteredCase>();
  if (ms.length === 0) return out;
  const r = await sql.query<{ source: string; external_id: string; id: string; registration_number: string; status: string; registered_at: Date; deadline_at: Date }>(
    `select m.source, m.external_id, c.id, c.registration_number, c.status, c.registered_at, c.deadline_at
       from unnest($1::text[], $2::text[]) as k(source, external_id)
       join messages m on m.source = k.source and m.external_id = k.external_id
       join cases c on c.message_id = m.id`,
    [ms.map((m) => m.source), ms.map((m) => m.externalId)],
  );
  for (const x of r.rows) {
    out.set(keyOf({ source: x.source, externalId: x.external_id }),
      { caseId: x.id, registrationNumber: x.registration_number, status: x.status, registeredAt: x.registered_at, deadlineAt: x.deadline_at });
  }
  return out;
}

/** Events carry the case's stored timestamps and derived ids, so emitting them again yields identical rows. */
export function registrationEvents(input: ClassifiedMessage, registered: RegisteredCase): AnalyticsEvent[] {
  const { message: m, classification: c } = input;
  const municipality = c.municipality ?? m.place.municipality;
  const common = { messageId: m.messageId, source: m.source, municipality, props: {} };
  return [
    { ...common, eventId: eventIdFor(m.messageId, 'received'), type: 'message.received', at: m.receivedAt, authorHash: m.authorHash },
    { ...common, eventId: eventIdFor(m.messageId, 'classified'), type: 'message.classified', at: input.classifiedAt,
      category: c.category, confidence: c.confidence, modelVersion: c.modelVersion, fastTrack: c.fastTrack, kind: c.kind },
    { ...common, eventId: eventIdFor(m.messageId, 'case.created'), type: 'case.created', at: registered.registeredAt.toISOString(),
      caseId: registered.caseId, category: c.category, fastTrack: c.fastTrack, status: registered.status,
      deadlineAt: registered.deadlineAt.toISOString() },
  ];
}
