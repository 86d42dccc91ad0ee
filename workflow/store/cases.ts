/**
 * The `cases` table and its append-only `case_events` log. Only the workflow writes them, and only through
 * `updateCase` + `insertCaseEvent`, which workflow/transitions.ts calls together in one transaction.
 */
import type { CaseStatus, Source } from '../../lib/queues.js';
import { appendLogEntry, type LogEntryInput } from './event-logs.js';
import { Where, type Page, type Sql } from './sql.js';

export interface CaseRow {
  id: string;
  messageId: string;
  registrationNumber: string;
  status: CaseStatus;
  category: string;
  kind: string;
  incidentId: string | null;
  municipality: string | null;
  organizationId: string | null;
  organizationName: string | null;
  executorId: string | null;
  version: number;
  registeredAt: Date;
  deadlineAt: Date;
  deadlineDays: number;
  fastTrack: boolean;
  /** Which rule set the term (lib/region-config.ts DeadlineDecision.rule). */
  deadlineRule: string;
  federalService: string | null;
  rating: number | null;
  reviewCycle: number;
  source: Source;
  externalId: string;
  provenance: Record<string, string>;
  messageText: string;
  /** `signal`: made from an incident the monitoring team accepted; its answer goes to the incident's threads. */
  origin: 'appeal' | 'signal';
  contact: { phone: string | null; email: string | null; channelUserId: string | null };
}

const CASE_SELECT = `
  select c.id, c.message_id as "messageId", c.registration_number as "registrationNumber", c.status, c.category, c.kind,
         c.incident_id as "incidentId", c.municipality, c.organization_id as "organizationId", o.name as "organizationName",
         c.executor_id as "executorId", c.version, c.registered_at as "registeredAt", c.deadline_at as "deadlineAt",
         c.deadline_days as "deadlineDays", c.fast_track as "fastTrack", c.deadline_rule as "deadlineRule", c.federal_service as "federalService",
         c.rating, c.review_cycle as "reviewCycle", m.source, m.external_id as "externalId",
         m.provenance, m.text as "messageText", c.origin,
         json_build_object('phone', k.phone, 'email', k.email, 'channelUserId', k.channel_user_id) as contact
    from cases c join messages m on m.id = c.message_id
    left join organizations o on o.id = c.organization_id
    left join contacts k on k.message_id = c.message_id`;

export async function loadCase(sql: Sql, caseId: string, forUpdate = false): Promise<CaseRow | undefined> {
  const r = await sql.query<CaseRow>(`${CASE_SELECT} where c.id = $1 ${forUpdate ? 'for update of c' : ''}`, [caseId]);
  return r.rows[0];
}

/** Several cases locked in id order, so two moderators merging overlapping sets wait rather than deadlock. */
export async function loadCasesForUpdate(sql: Sql, caseIds: string[]): Promise<CaseRow[]> {
  const r = await sql.query<CaseRow>(`${CASE_SELECT} where c.id = any($1::uuid[]) order by c.id for update of c`, [caseIds]);
  return r.rows;
}

/** Columns a change may set besides status and version. */
export interface CasePatch {
  organization_id?: string | null;
  executor_id?: string | null;
  rejection_reason?: string | null;
  rating?: number | null;
  review_cycle?: number;
  deadline_at?: Date;
  deadline_days?: number;
  fast_track?: boolean;
  deadline_rule?: string;
  federal_service?: string | null;
  closed_at?: Date;
  answered_at?: Date;
  category?: string;
  kind?: string;
  incident_id?: string;
}

export async function updateCase(sql: Sql, caseId: string, change: { status: CaseStatus; bumpVersion: boolean; patch: CasePatch }, now: Date): Promise<void> {
  const cols = Object.keys(change.patch) as (keyof CasePatch)[];
  await sql.query(
    `update cases set status = $2, updated_at = $3${change.bumpVersion ? ', version = version + 1' : ''}
       ${cols.map((col, i) => `, ${col} = $${i + 4}`).join('')} where id = $1`,
    [caseId, change.status, now, ...cols.map((col) => change.patch[col])],
  );
}

export interface CaseEventInput extends LogEntryInput {
  caseId: string;
  fromStatus: CaseStatus;
  toStatus: CaseStatus;
}

/** Appends one entry to the case's audit log; returns its id. */
export const insertCaseEvent = (sql: Sql, e: CaseEventInput): Promise<string> =>
  appendLogEntry(sql, 'case_events', { case_id: e.caseId, from_status: e.fromStatus, to_status: e.toStatus }, e);

export interface CaseFilter extends Page {
  /** Who reads: every case, or those of these organizations and those assigned to this user. */
  readsAll: boolean;
  organizationIds: string[];
  userId: string;
  status?: CaseStatus[];
  category?: string;
  organizationId?: string;
  source?: Source;
  overdue?: boolean;
  assignedToMe?: boolean;
  from?: string;
  to?: string;
  municipality?: string;
  incidentId?: string;
  /** newest (default): registration, newest first; deadline: the nearest deadline (overdue first), then the newest. */
  sort?: 'newest' | 'deadline';
  now: Date;
  openStatuses: readonly CaseStatus[];
}

function caseWhere(f: CaseFilter): Where {
  const w = new Where();
  if (!f.readsAll) w.add(`(c.organization_id = any(${w.bind(f.organizationIds)}::uuid[]) or c.executor_id = ${w.bind(f.userId)})`);
  w.when(f.status, (p) => `c.status = any(${p}::text[])`)
    .when(f.category, (p) => `c.category = ${p}`)
    .when(f.organizationId, (p) => `c.organization_id = ${p}`)
    .when(f.source, (p) => `m.source = ${p}`)
    .when(f.overdue, (p) => `${p}::boolean = (c.deadline_at < ${w.bind(f.now)} and c.status = any(${w.bind(f.openStatuses)}::text[]))`)
    .when(f.from, (p) => `c.registered_at >= ${p}::timestamptz`)
    .when(f.to, (p) => `c.registered_at < ${p}::timestamptz`)
    .when(f.municipality, (p) => `c.municipality = ${p}`)
    .when(f.incidentId, (p) => `c.incident_id = ${p}`);
  if (f.assignedToMe) w.add(`c.executor_id = ${w.bind(f.userId)}`);
  return w;
}

/** The case list of the staff API, newest first, with the total under the same filter. */
export async function listCases(sql: Sql, f: CaseFilter): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const w = caseWhere(f);
  const [rows, total] = await Promise.all([
    sql.query(
      `select c.id, c.registration_number as "registrationNumber", c.status, c.version, c.category, c.confidence, c.kind,
              c.fast_track as "fastTrack", c.deadline_days as "deadlineDays", c.deadline_rule as "deadlineRule", c.municipality,
              c.organization_id as "organizationId", o.name as "organizationName", c.executor_id as "executorId",
              c.model_version as "modelVersion", c.registered_at as "registeredAt", c.deadline_at as "deadlineAt", c.rating,
              m.source, m.external_id as "externalId", m.text, m.link, m.received_at as "receivedAt", c.incident_id as "incidentId", c.origin
         from cases c join messages m on m.id = c.message_id left join organizations o on o.id = c.organization_id
        where ${w}
        order by ${f.sort === 'deadline' ? 'c.deadline_at, ' : ''}c.registered_at desc, c.id limit $${w.args.length + 1} offset $${w.args.length + 2}`,
      [...w.args, f.limit, f.offset],
    ),
    sql.query<{ n: number }>(`select count(*)::int as n from cases c join messages m on m.id = c.message_id where ${w}`, w.args),
  ]);
  return { items: rows.rows, total: total.rows[0]!.n };
}

/** What the case page shows beyond the case row: the message and the audit log with the actors' names. */
export async function caseDetail(sql: Sql, caseId: string) {
  const [detail, history] = await Promise.all([
    sql.query(
      `select c.kind, c.confidence, c.fast_track as "fastTrack", c.deadline_rule as "deadlineRule", c.federal_service as "federalService",
              c.rejection_reason as "rejectionReason", c.answered_at as "answeredAt", c.closed_at as "closedAt",
              m.text, m.link, m.place, m.attachments, m.received_at as "receivedAt"
         from cases c join messages m on m.id = c.message_id where c.id = $1`,
      [caseId],
    ),
    sql.query(
      `select e.id, e.at, e.actor, u.display_name as "actorName", e.type, e.from_status as "fromStatus", e.to_status as "toStatus", e.comment, e.data
         from case_events e left join users u on u.id::text = e.actor where e.case_id = $1 order by e.id`,
      [caseId],
    ),
  ]);
  return { detail: detail.rows[0] as Record<string, unknown>, history: history.rows };
}

/** The case a widget submission became: its number and status, or null while there is none. */
export async function widgetCase(sql: Sql, messageId: string): Promise<{ registrationNumber: string; status: CaseStatus } | null> {
  const r = await sql.query<{ registrationNumber: string; status: CaseStatus }>(
    `select c.registration_number as "registrationNumber", c.status from cases c join messages m on m.id = c.message_id
      where c.message_id = $1 and m.source = 'widget'`,
    [messageId],
  );
  return r.rows[0] ?? null;
}

/** Open cases past their deadline, split by fast track: the deadline-breach gauge. */
export async function overdueCounts(sql: Sql, openStatuses: readonly CaseStatus[]): Promise<{ fastTrack: boolean; count: number }[]> {
  const r = await sql.query<{ fast_track: boolean; n: string }>(
    'select fast_track, count(*) as n from cases where status = any($1) and deadline_at < now() group by fast_track',
    [openStatuses],
  );
  return r.rows.map((x) => ({ fastTrack: x.fast_track, count: Number(x.n) }));
}

export interface NewCase {
  id: string;
  messageId: string;
  category: string;
  confidence: number;
  kind: string;
  fastTrack: boolean;
  deadlineDays: number;
  deadlineRule: string;
  federalService: string | null;
  municipality: string | null;
  modelVersion: string;
  deadlineAt: Date;
  incidentId: string | null;
  /** The routing model's suggestions as JSON, or null without any. */
  routing: string | null;
  /** Absent: an appeal. */
  origin?: 'appeal' | 'signal';
}

/**
 * Inserts cases in the given order; returns their registration numbers by case id. Numbers are drawn in that order
 * (ordinality), one nextval per case, at least six digits and never cut: lpad(n, 6) would truncate the millionth
 * case's number to an earlier one's.
 */
export async function insertCases(sql: Sql, cs: NewCase[], status: CaseStatus, registeredAt: Date): Promise<Map<string, string>> {
  const rows = await sql.query<{ id: string; registration_number: string }>(
    `insert into cases (id, message_id, registration_number, status, category, confidence, kind, fast_track, deadline_days,
       deadline_rule, federal_service, municipality, model_version, registered_at, deadline_at, incident_id, routing_suggestions, origin)
     select t.id, t.message_id, to_char($3::timestamptz at time zone 'UTC', 'YYYY') || '-'
         || regexp_replace(lpad(nextval('case_number_seq')::text, 12, '0'), '^0{1,6}', ''),
       $4, t.category, t.confidence, t.kind, t.fast_track, t.deadline_days, t.deadline_rule, t.federal_service, t.municipality,
       t.model_version, $3, t.deadline_at, t.incident_id, coalesce(t.routing::jsonb, '[]'::jsonb), t.origin
       from unnest($1::uuid[], $2::uuid[], $5::text[], $6::real[], $7::text[], $8::boolean[], $9::int[], $10::text[], $11::text[],
                   $12::text[], $13::text[], $14::timestamptz[], $15::text[], $16::text[], $17::text[]) with ordinality
         as t(id, message_id, category, confidence, kind, fast_track, deadline_days, deadline_rule, federal_service, municipality,
              model_version, deadline_at, incident_id, routing, origin, ord)
      order by t.ord
     returning id, registration_number`,
    [cs.map((c) => c.id), cs.map((c) => c.messageId), registeredAt, status, cs.map((c) => c.category), cs.map((c) => c.confidence), cs.map((c) => c.kind),
      cs.map((c) => c.fastTrack), cs.map((c) => c.deadlineDays), cs.map((c) => c.deadlineRule), cs.map((c) => c.federalService), cs.map((c) => c.municipality),
      cs.map((c) => c.modelVersion), cs.map((c) => c.deadlineAt), cs.map((c) => c.incidentId), cs.map((c) => c.routing), cs.map((c) => c.origin ?? 'appeal')],
  );
  return new Map(rows.rows.map((r) => [r.id, r.registration_number]));
}

/** The first audit entry of each new case, by the system; returns the entry's id by case id. */
export async function insertRegistrationEvents(sql: Sql, entries: { caseId: string; data: Record<string, unknown> }[], status: CaseStatus,
  at: Date): Promise<Map<string, string>>
{
  const ev = await sql.query<{ id: string; case_id: string }>(
    `insert into case_events (case_id, at, actor, type, from_status, to_status, comment, data)
     select t.case_id, $2, 'system', 'registered', null, $3, null, t.data::jsonb
       from unnest($1::uuid[], $4::text[]) as t(case_id, data)
     returning id, case_id`,
    [entries.map((e) => e.caseId), at, status, entries.map((e) => JSON.stringify(e.data))],
  );
  return new Map(ev.rows.map((r) => [r.case_id, r.id]));
}

export interface StoredCase {
  source: string;
  externalId: string;
  caseId: string;
  registrationNumber: string;
  status: string;
  registeredAt: Date;
  deadlineAt: Date;
}

/** The cases of messages already stored, found by the key the database keeps messages unique by. */
export async function casesOfMessages(sql: Sql, ms: { source: string; externalId: string }[]): Promise<StoredCase[]> {
  if (ms.length === 0) return [];
  const r = await sql.query<StoredCase>(
    `select m.source, m.external_id as "externalId", c.id as "caseId", c.registration_number as "registrationNumber", c.status,
            c.registered_at as "registeredAt", c.deadline_at as "deadlineAt"
       from unnest($1::text[], $2::text[]) as k(source, external_id)
       join messages m on m.source = k.source and m.external_id = k.external_id
       join cases c on c.message_id = m.id`,
    [ms.map((m) => m.source), ms.map((m) => m.externalId)],
  );
  return r.rows;
}

export interface CaseAuthor {
  source: string;
  author_hash: string;
  channel_user_id: string | null;
  status: string;
  rating: number | null;
  review_cycle: number;
}

/** Who wrote a case and on which channel (the author's salted hash, the chat), with its status, rating and review round. */
export async function caseAuthorOf(sql: Sql, caseId: string): Promise<CaseAuthor | undefined> {
  const r = await sql.query<CaseAuthor>(
    `select m.source, m.author_hash, k.channel_user_id, c.status, c.rating, c.review_cycle
       from cases c join messages m on m.id = c.message_id left join contacts k on k.message_id = c.message_id
      where c.id = $1`,
    [caseId],
  );
  return r.rows[0];
}
