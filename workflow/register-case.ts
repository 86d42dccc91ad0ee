import type pg from 'pg';
import { eventIdFor, uuidV5 } from '../lib/ids.js';
import { isNetworkSource, type AnalyticsEvent, type ClassifiedMessage } from '../lib/queues.js';
import { DEFAULT_REGION_RULES, type RegionRules } from '../lib/region-config.js';
import { termEnd } from '../lib/region-time.js';
import { withTransaction } from '../lib/transaction.js';
import { enqueue, type OutboxRow } from './outbox.js';
import { planReminders, reminderCalendar, reminderDaysOf, scheduleRemindersMany } from './reminders.js';
import { casesOfMessages, insertCases, insertRegistrationEvents, type CaseRow, type NewCase } from './store/cases.js';
import { insertContacts, insertMessages } from './store/messages.js';
import type { StatusLinks } from './status-link.js';
import type { Sql } from './store/sql.js';
import { citizenOutbound } from './transitions.js';

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

/**
 * ПОС counts calendar days from registration (weekends and holidays count): the term runs to the end of the N-th day
 * after the day of registration in the region's zone (workflow/README.md, «Deadlines»).
 */
export function deadlineFrom(registeredAt: Date, days: number, timeZone = DEFAULT_REGION_RULES.timeZone): Date {
  return termEnd(registeredAt, days, timeZone);
}

export interface RegisterOptions {
  reminderDaysBefore?: number[];
  /** The region's calendar: deadlines end at midnight there, notices print its dates. */
  region?: RegionRules;
  /** The status page link the «registered» notice carries. */
  links?: StatusLinks;
}

/**
 * Channels where the citizen is told the registration number: the networks, the widget, and the 122 whose callers are
 * reached by SMS (or e-mail); a message without a way back gets no notice (citizenOutbound).
 */
const acknowledged = (source: string) => source === 'widget' || source === 'contact_center' || isNetworkSource(source);

/**
 * Registers a classified message as a case: the message, its contact (kept apart), the case and the first entry
 * of its log, in one transaction — together with the outbox rows for its analytics events, the citizen's
 * «registered» notice and its deadline reminders, so none of them can be lost after the commit. A message already
 * registered (a redelivery, a second HTTP post of the same call) returns the existing case with `created: false`.
 */
export async function registerCase(db: pg.Pool, input: ClassifiedMessage, now: Date, opts: RegisterOptions = {}): Promise<RegisterResult> {
  return (await registerCases(db, [input], now, opts))[0]!;
}

/** The key the database keeps a message unique by. */
export const keyOf = (m: { source: string; externalId: string }) => `${m.source}\u0000${m.externalId}`;

/**
 * One input per message, in messageId order: concurrent batches then take the unique-key locks in the same order
 * and wait for each other instead of deadlocking.
 */
export function uniqueMessages(inputs: ClassifiedMessage[]): Map<string, ClassifiedMessage> {
  const byKey = new Map<string, ClassifiedMessage>();
  const idTaken = new Set<string>();
  for (const x of inputs) {
    const key = keyOf(x.message);
    if (byKey.has(key) || idTaken.has(x.message.messageId)) continue;
    byKey.set(key, x);
    idTaken.add(x.message.messageId);
  }
  return new Map([...byKey].sort(([, a], [, b]) => (a.message.messageId < b.message.messageId ? -1 : 1)));
}

const newCaseOf = (x: ClassifiedMessage, registeredAt: Date, timeZone: string): NewCase => {
  const c = x.classification;
  return {
    id: caseIdFor(x.message.messageId),
    messageId: x.message.messageId,
    category: c.category,
    confidence: c.confidence,
    kind: c.kind,
    fastTrack: c.fastTrack,
    deadlineDays: c.deadlineDays,
    deadlineRule: c.deadlineRule,
    federalService: c.federalService ?? null,
    municipality: c.municipality ?? x.message.place.municipality ?? null,
    modelVersion: c.modelVersion,
    deadlineAt: deadlineFrom(registeredAt, c.deadlineDays, timeZone),
    incidentId: c.incidentId ?? null,
    // The routing model's suggestions stay with the case: moderators and coordinators see them, routing uses them.
    routing: c.routing?.length ? JSON.stringify(c.routing) : null,
  };
};

type Created = Map<string, { case: RegisteredCase; events: AnalyticsEvent[] }>;

/** The cases of the messages new in this batch, with their log entries, outbox rows and reminders. */
async function registerNew(sql: Sql, news: ClassifiedMessage[], now: Date, opts: RegisterOptions): Promise<Created> {
  const created: Created = new Map();
  if (news.length === 0) return created;
  const status = 'moderation';
  const region = opts.region ?? DEFAULT_REGION_RULES;
  await insertContacts(sql, news.map((x) => x.message));
  const cases = news.map((x) => newCaseOf(x, now, region.timeZone));
  const numberOf = await insertCases(sql, cases, status, now);
  const eventRowOf = await insertRegistrationEvents(sql, news.map((x, i) => {
    const c = x.classification;
    return { caseId: cases[i]!.id,
      data: { category: c.category, confidence: c.confidence, fastTrack: c.fastTrack, deadlineDays: c.deadlineDays, deadlineRule: c.deadlineRule,
        modelVersion: c.modelVersion } };
  }), status, now);
  const outbox: OutboxRow[] = [];
  news.forEach((x, i) => {
    const caseId = cases[i]!.id;
    const registered: RegisteredCase = { caseId, registrationNumber: numberOf.get(caseId)!, status, registeredAt: now, deadlineAt: cases[i]!.deadlineAt };
    created.set(keyOf(x.message), { case: registered, events: registrationEvents(x, registered) });
    if (acknowledged(x.message.source)) {
      outbox.push(...citizenOutbound(freshCaseRow(x, registered), 'registered', eventRowOf.get(caseId)!, { links: opts.links, timeZone: region.timeZone }));
    }
  });
  // A batch's analytics events leave as one job (one hop for the whole page); a lone case keeps its own job id.
  const caseIds = cases.map((c) => c.id);
  const events = news.map((x) => created.get(keyOf(x.message))!.events);
  outbox.unshift(news.length === 1
    ? { queue: 'events', name: 'registration', jobId: `reg-${caseIds[0]}`, payload: { events: events[0] } }
    : { queue: 'events', name: 'registration', jobId: `reg-${uuidV5(`registration:${[...caseIds].sort().join(',')}`)}`, payload: { events: events.flat() } });
  await enqueue(sql, outbox);
  const calendar = reminderCalendar(region);
  await scheduleRemindersMany(sql,
    cases.map((c) => ({ caseId: c.id, plan: planReminders(c.deadlineAt, 0, reminderDaysOf(region, opts.reminderDaysBefore), calendar, now) })), now);
  return created;
}

/**
 * registerCase for a batch, set-based (one statement per table over arrays) in ONE transaction: a page of posts
 * costs a handful of round trips instead of eight per post. Messages repeated inside the batch or already stored
 * are not registered again; their existing case is returned with `created: false`. Results follow `inputs`.
 */
export async function registerCases(db: pg.Pool, inputs: ClassifiedMessage[], now: Date, opts: RegisterOptions = {}): Promise<RegisterResult[]> {
  if (inputs.length === 0) return [];
  const byKey = uniqueMessages(inputs);
  const batch = [...byKey.values()];
  const { created, found } = await withTransaction(db, async (sql) => {
    const fresh = await insertMessages(sql, batch.map((x) => x.message));
    const made = await registerNew(sql, batch.filter((x) => fresh.has(x.message.messageId)), now, opts);
    const stored = await casesOfMessages(sql, batch.filter((x) => !fresh.has(x.message.messageId)).map((x) => x.message));
    return { created: made, found: new Map(stored.map(({ source, externalId, ...registered }) => [keyOf({ source, externalId }), registered])) };
  });
  const caseOf = (x: ClassifiedMessage): RegisteredCase | undefined => created.get(keyOf(x.message))?.case ?? found.get(keyOf(x.message));
  return inputs.map((x) => {
    const made = created.get(keyOf(x.message));
    // A repeat inside the batch reports the case its first copy made, as "not created" like any redelivery.
    if (made && byKey.get(keyOf(x.message)) === x) return { created: true, ...made };
    const stored = caseOf(x) ?? batch.filter((y) => y.message.messageId === x.message.messageId).map(caseOf)[0];
    if (!stored) throw new Error(`message ${x.message.source}:${x.message.externalId} exists without a case`);
    return { created: false, case: stored, events: registrationEvents(x, stored) };
  });
}

/** The case as loadCase would read it right after registration (no organization yet), without reading it back. */
function freshCaseRow(x: ClassifiedMessage, r: RegisteredCase): CaseRow {
  const { message: m, classification: c } = x;
  return {
    id: r.caseId,
    messageId: m.messageId,
    registrationNumber: r.registrationNumber,
    status: 'moderation',
    category: c.category,
    kind: c.kind,
    incidentId: c.incidentId ?? null,
    municipality: c.municipality ?? m.place.municipality ?? null,
    organizationId: null,
    organizationName: null,
    executorId: null,
    version: 0,
    registeredAt: r.registeredAt,
    deadlineAt: r.deadlineAt,
    deadlineDays: c.deadlineDays,
    fastTrack: c.fastTrack,
    deadlineRule: c.deadlineRule,
    federalService: c.federalService ?? null,
    rating: null,
    reviewCycle: 0,
    source: m.source,
    externalId: m.externalId,
    provenance: m.provenance,
    messageText: m.text,
    origin: 'appeal',
    contact: { phone: m.contact.phone ?? null, email: m.contact.email ?? null, channelUserId: m.contact.channelUserId ?? null },
  };
}

/** Events carry the case's stored timestamps and derived ids, so emitting them again yields identical rows. */
export function registrationEvents(input: ClassifiedMessage, registered: RegisteredCase): AnalyticsEvent[] {
  const { message: m, classification: c } = input;
  const municipality = c.municipality ?? m.place.municipality;
  const common = { messageId: m.messageId, source: m.source, municipality, props: {} };
  return [
    { ...common, eventId: eventIdFor(m.messageId, 'received'), type: 'message.received', at: m.receivedAt, authorHash: m.authorHash },
    { ...common, eventId: eventIdFor(m.messageId, 'classified'), type: 'message.classified', at: input.classifiedAt, category: c.category,
      confidence: c.confidence, modelVersion: c.modelVersion, fastTrack: c.fastTrack, kind: c.kind },
    { ...common, eventId: eventIdFor(m.messageId, 'case.created'), type: 'case.created', at: registered.registeredAt.toISOString(), caseId: registered.caseId,
      category: c.category, fastTrack: c.fastTrack, status: registered.status, deadlineAt: registered.deadlineAt.toISOString() },
  ];
}
