/**
 * Every change of a case, in one place: the case row, an append-only `case_events` entry, and outbox rows for the
 * analytics event and the citizen's notice, all in the caller's transaction. Lifecycle steps (staff actions,
 * citizen ratings) are transitions; the monitoring team's corrections of category, kind and incident keep the
 * status. The version moves with every step and every correction except an incident regrouping: the version guards
 * what people decide on the case (status, organization, executor, category, kind), and a merge changes none of it.
 */
import { eventIdFor, uuidV5 } from '../lib/ids.js';
import type { AnalyticsEventInput, Attachment, CaseStatus, OutboundMessage } from '../lib/queues.js';
import { citizenAddress, citizenNotices, type NoticeStep } from './notify.js';
import { enqueue, type OutboxRow } from './outbox.js';
import { afterSignalCaseStep } from './signals/case-hooks.js';
import type { StatusLinks } from './status-link.js';
import { insertCaseEvent, updateCase, type CasePatch, type CaseRow } from './store/cases.js';
import { organizationName } from './store/organizations.js';
import type { Sql } from './store/sql.js';

type Notice = NoticeStep;
type Props = Record<string, string | number | boolean>;

export interface Transition {
  actor: string;
  /** The audit entry's type: the action's name, or a system step ('send-answer', 'rate', …). */
  type: string;
  to: CaseStatus;
  comment?: string | null;
  data?: Record<string, unknown>;
  patch?: CasePatch;
  /** The citizen notice to send, if this step is one the citizen is told about. */
  notice?: Notice;
  reason?: string;
  /** The answer a `answered` notice carries. */
  answer?: { text: string; attachments: Attachment[] };
  /** The rating a `rated_low` notice thanks for. */
  rating?: number;
  /** Builds the status page link every notice carries (absent: notices go without it). */
  links?: StatusLinks;
  /** The region's zone the notice's dates are printed in. */
  timeZone?: string;
  props?: Props;
  extraEvents?: (eventRowId: string, next: CaseRow) => AnalyticsEventInput[];
}

export interface RecordedChange {
  case: CaseRow;
  eventRowId: string;
}

interface Change {
  actor: string;
  type: string;
  to: CaseStatus;
  bumpVersion: boolean;
  patch: CasePatch;
  comment?: string | null;
  data?: Record<string, unknown>;
}

/** The row and the audit entry; returns the case as it is now, with the entry's id. */
async function applyChange(sql: Sql, c: CaseRow, change: Change, now: Date): Promise<RecordedChange> {
  const { patch } = change;
  await updateCase(sql, c.id, { status: change.to, bumpVersion: change.bumpVersion, patch }, now);
  const eventRowId = await insertCaseEvent(sql, {
    caseId: c.id,
    at: now,
    actor: change.actor,
    type: change.type,
    fromStatus: c.status,
    toStatus: change.to,
    comment: change.comment,
    data: change.data,
  });
  const movesOrganization = 'organization_id' in patch && patch.organization_id !== c.organizationId;
  const next: CaseRow = {
    ...c,
    status: change.to,
    version: change.bumpVersion ? c.version + 1 : c.version,
    category: patch.category ?? c.category,
    kind: patch.kind ?? c.kind,
    incidentId: patch.incident_id ?? c.incidentId,
    organizationId: 'organization_id' in patch ? patch.organization_id ?? null : c.organizationId,
    organizationName: movesOrganization ? (patch.organization_id ? await organizationName(sql, patch.organization_id) : null) : c.organizationName,
    executorId: 'executor_id' in patch ? patch.executor_id ?? null : c.executorId,
    rating: 'rating' in patch ? patch.rating ?? null : c.rating,
    reviewCycle: patch.review_cycle ?? c.reviewCycle,
    deadlineAt: patch.deadline_at ?? c.deadlineAt,
    deadlineDays: patch.deadline_days ?? c.deadlineDays,
    fastTrack: patch.fast_track ?? c.fastTrack,
    deadlineRule: patch.deadline_rule ?? c.deadlineRule,
    federalService: 'federal_service' in patch ? patch.federal_service ?? null : c.federalService,
  };
  return { case: next, eventRowId };
}

/** The dimensions every case event carries, as the case is after the change. */
const eventBase = (c: CaseRow, now: Date) => ({
  at: now.toISOString(),
  caseId: c.id,
  messageId: c.messageId,
  source: c.source,
  category: c.category,
  ...(c.municipality ? { municipality: c.municipality } : {}),
  ...(c.organizationId ? { organizationId: c.organizationId } : {}),
  deadlineAt: c.deadlineAt.toISOString(),
});

/** One events job per audit entry: its id is derived from the entry, so a relay retry adds nothing. */
const eventsRow = (caseId: string, eventRowId: string, events: AnalyticsEventInput[]): OutboxRow => ({ queue: 'events', name: 'case-transition',
  jobId: `case-event-${caseId}-${eventRowId}`, payload: { events } });

/** Applies one lifecycle step to a locked case row inside the caller's transaction. */
export async function recordTransition(sql: Sql, c: CaseRow, t: Transition, now: Date): Promise<RecordedChange> {
  const r = await applyChange(sql, c, { ...t, bumpVersion: true, patch: t.patch ?? {} }, now);
  const events: AnalyticsEventInput[] = [
    { ...eventBase(r.case, now), eventId: eventIdFor(c.id, 'transition', r.eventRowId), type: 'case.transition', fromStatus: c.status, status: t.to,
      actor: t.actor, props: { action: t.type, ...(t.reason ? { reason: t.reason } : {}), ...(t.props ?? {}) } },
    ...(t.extraEvents?.(r.eventRowId, r.case) ?? []),
  ];
  const rows = [eventsRow(c.id, r.eventRowId, events)];
  // A case made from signals tells no one anything by itself: its answer goes to the incident's threads.
  if (t.notice && c.origin !== 'signal') {
    rows.push(
      ...citizenOutbound(r.case, t.notice, r.eventRowId, { reason: t.reason, answer: t.answer, rating: t.rating, links: t.links, timeZone: t.timeZone }),
    );
  }
  await enqueue(sql, rows);
  if (c.origin === 'signal') await afterSignalCaseStep(sql, r.case, t.to, { actor: t.actor, answerText: t.answer?.text, reason: t.reason }, now);
  return r;
}

/** A correction by the monitoring team: what changes, and the value it takes. */
export type Correction =
  | { field: 'category' | 'kind'; label: string }
  | { field: 'incident'; incidentId: string; how: 'merged' | 'split' };

/** Applies a correction to a locked case row; the status stays, the analytics event says what changed. */
export async function recordCorrection(sql: Sql, c: CaseRow, correction: Correction, actor: string, now: Date): Promise<RecordedChange> {
  const common = { actor, to: c.status, comment: null };
  if (correction.field === 'incident') {
    const from = c.incidentId ?? c.id;
    const r = await applyChange(sql, c, { ...common, type: `incident_${correction.how}`, bumpVersion: false, patch: { incident_id: correction.incidentId },
      data: { from, to: correction.incidentId } }, now);
    await enqueue(sql, [
      eventsRow(c.id, r.eventRowId, [{ ...eventBase(r.case, now), eventId: eventIdFor(c.id, 'incident', r.eventRowId), type: 'case.incident', status: c.status,
        actor, incidentId: correction.incidentId, props: { action: correction.how, from } }]),
    ]);
    return r;
  }
  const from = c[correction.field];
  const r = await applyChange(sql, c, { ...common, type: `${correction.field}_corrected`, bumpVersion: true, patch: { [correction.field]: correction.label },
    data: { from, to: correction.label } }, now);
  await enqueue(sql, [
    eventsRow(c.id, r.eventRowId, [{ ...eventBase(r.case, now), eventId: eventIdFor(c.id, 'corrected', r.eventRowId), type: 'case.corrected', status: c.status,
      actor, kind: r.case.kind, props: { field: correction.field, from, to: correction.label } }]),
  ]);
  return r;
}

/** A case's term as a correction sets it. */
export interface Term {
  fastTrack: boolean;
  deadlineDays: number;
  deadlineRule: string;
  federalService: string | null;
  deadlineAt: Date;
}

/**
 * A recomputed term (a corrected category, a moderator's fast-track mark): the case row, an audit entry of `type`
 * whose comment says why, and a `case.corrected` analytics event (field `deadline`) with the new deadline; the
 * status stays, the version moves (the deadline is something people decide on).
 */
export async function recordTermChange(sql: Sql, c: CaseRow, change: { term: Term; type: string; why: string; actor: string },
  now: Date): Promise<RecordedChange>
{
  const { term } = change;
  const from = { fastTrack: c.fastTrack, deadlineDays: c.deadlineDays, deadlineRule: c.deadlineRule, deadlineAt: c.deadlineAt.toISOString() };
  const to = { fastTrack: term.fastTrack, deadlineDays: term.deadlineDays, deadlineRule: term.deadlineRule, deadlineAt: term.deadlineAt.toISOString() };
  const r = await applyChange(sql, c, { actor: change.actor, type: change.type, to: c.status, comment: change.why, bumpVersion: true, data: { from, to },
    patch: { fast_track: term.fastTrack, deadline_days: term.deadlineDays, deadline_rule: term.deadlineRule, federal_service: term.federalService,
      deadline_at: term.deadlineAt } }, now);
  await enqueue(sql, [
    eventsRow(c.id, r.eventRowId, [{ ...eventBase(r.case, now), eventId: eventIdFor(c.id, 'corrected', r.eventRowId), type: 'case.corrected', status: c.status,
      actor: change.actor, fastTrack: term.fastTrack, props: { field: 'deadline', from: from.deadlineAt, to: to.deadlineAt, rule: term.deadlineRule } }]),
  ]);
  return r;
}

/** What a notice says beyond the case itself. */
export interface NoticeExtras {
  reason?: string;
  answer?: { text: string; attachments: Attachment[] };
  rating?: number;
  links?: StatusLinks;
  /** The region's zone the notice's dates are printed in. */
  timeZone?: string;
}

/**
 * The citizen's notices of one step, addressed on the channel the message came from, or for the widget and the 122
 * by e-mail or SMS to the contact they left (none without a way back: the case page shows staff that).
 */
export function citizenOutbound(c: CaseRow, notice: Notice, eventRowId: string, extra: NoticeExtras = {}): OutboxRow[] {
  const address = citizenAddress({ source: c.source, externalId: c.externalId, provenance: c.provenance ?? {}, contact: c.contact ?? {} });
  if (!address) return [];
  return citizenNotices(notice, {
    registrationNumber: c.registrationNumber,
    deadlineAt: c.deadlineAt,
    organizationName: c.organizationName,
    reason: extra.reason,
    answerText: extra.answer?.text,
    answerAttachments: extra.answer?.attachments,
    rating: extra.rating,
    statusUrl: extra.links?.url(c),
    timeZone: extra.timeZone,
  }, address).map((n) => {
    const outboundId = uuidV5(`outbound:${c.id}:${eventRowId}:${n.kind}`);
    const payload: OutboundMessage = { outboundId, caseId: c.id, messageId: c.messageId, source: c.source, channel: address.channel, kind: n.kind,
      subject: n.subject, text: n.text, ...(n.links?.length ? { links: n.links } : {}), target: address.target };
    return { queue: 'outbound', name: n.kind, jobId: `outbound-${outboundId}`, payload };
  });
}
