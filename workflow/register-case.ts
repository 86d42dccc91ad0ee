import type pg from 'pg';
import { eventIdFor, uuidV5 } from '../lib/ids.js';
import type { AnalyticsEvent, ClassifiedMessage } from '../lib/queues.js';
import { citizenOutbound, loadCase } from './lifecycle.js';
import { enqueue } from './outbox.js';
import { planReminders, scheduleReminders } from './reminders.js';

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
  const { message: m, classification: c } = input;
  const caseId = caseIdFor(m.messageId);
  const client = await db.connect();
  try {
    await client.query('begin');
    const inserted = await client.query(
      `insert into messages (id, source, external_id, received_at, text, author_hash, place, link, attachments, provenance, raw)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict do nothing returning id`,
      [m.messageId, m.source, m.externalId, m.receivedAt, m.text, m.authorHash, JSON.stringify(m.place), m.link ?? null,
        JSON.stringify(m.attachments), JSON.stringify(m.provenance), JSON.stringify(m.raw ?? null)],
    );
    if (inserted.rowCount === 0) {
      await client.query('rollback');
      const existing = await findCaseByMessage(db, m.source, m.externalId);
      if (!existing) throw new Error(`message ${m.source}:${m.externalId} exists without a case`);
      return { created: false, case: existing, events: registrationEvents(input, existing) };
    }
    const contact = m.contact;
    if (contact.name || contact.phone || contact.email || contact.channelUserId) {
      await client.query('insert into contacts (message_id, name, phone, email, channel_user_id) values ($1, $2, $3, $4, $5)',
        [m.messageId, contact.name ?? null, contact.phone ?? null, contact.email ?? null, contact.channelUserId ?? null]);
    }
    const registeredAt = now;
    const deadlineAt = deadlineFrom(registeredAt, c.deadlineDays);
    const status = 'moderation';
    const row = await client.query<{ registration_number: string }>(
      `insert into cases (id, message_id, registration_number, status, category, confidence, kind, fast_track, deadline_days,
         deadline_rule, federal_service, municipality, model_version, registered_at, deadline_at, incident_id)
       values ($1, $2, to_char($3::timestamptz at time zone 'UTC', 'YYYY') || '-' || lpad(nextval('case_number_seq')::text, 6, '0'),
         $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $3, $14, $15)
       returning registration_number`,
      [caseId, m.messageId, registeredAt, status, c.category, c.confidence, c.kind, c.fastTrack, c.deadlineDays,
        c.deadlineRule, c.federalService ?? null, c.municipality ?? m.place.municipality ?? null, c.modelVersion, deadlineAt,
        c.incidentId ?? null],
    );
    // The routing model's suggestions stay with the case: moderators and coordinators see them, routing uses them.
    if (c.routing?.length) await client.query('update cases set routing_suggestions = $2 where id = $1', [caseId, JSON.stringify(c.routing)]);
    const ev = await client.query<{ id: string }>(
      `insert into case_events (case_id, at, actor, type, from_status, to_status, comment, data)
       values ($1, $2, 'system', 'registered', null, $3, null, $4) returning id`,
      [caseId, registeredAt, status, JSON.stringify({ category: c.category, confidence: c.confidence, fastTrack: c.fastTrack,
        deadlineDays: c.deadlineDays, deadlineRule: c.deadlineRule, modelVersion: c.modelVersion })],
    );
    const registered: RegisteredCase = { caseId, registrationNumber: row.rows[0]!.registration_number, status, registeredAt, deadlineAt };
    const events = registrationEvents(input, registered);
    await enqueue(client, [{ queue: 'events', name: 'registration', jobId: `reg-${caseId}`, payload: { events } }]);
    if (ACKNOWLEDGED_SOURCES.has(m.source)) {
      const loaded = await loadCase(client, caseId);
      await enqueue(client, citizenOutbound(loaded!, 'registered', ev.rows[0]!.id));
    }
    await scheduleReminders(client, caseId, planReminders(deadlineAt, 0, opts.reminderDaysBefore));
    await client.query('commit');
    return { created: true, case: registered, events };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function findCaseByMessage(db: pg.Pool, source: string, externalId: string): Promise<RegisteredCase | undefined> {
  const r = await db.query<{ id: string; registration_number: string; status: string; registered_at: Date; deadline_at: Date }>(
    `select c.id, c.registration_number, c.status, c.registered_at, c.deadline_at
       from cases c join messages m on m.id = c.message_id where m.source = $1 and m.external_id = $2`,
    [source, externalId],
  );
  const x = r.rows[0];
  return x && { caseId: x.id, registrationNumber: x.registration_number, status: x.status, registeredAt: x.registered_at, deadlineAt: x.deadline_at };
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
