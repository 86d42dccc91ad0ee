/**
 * The analytics events of signals (no personal data: no texts, no authors), with ids derived from the message and
 * what happened to it, so a re-emitted event is the same event and ClickHouse keeps one.
 */
import { eventIdFor, uuidV5 } from '../../lib/ids.js';
import type { AnalyticsEventInput, ClassifiedMessage } from '../../lib/queues.js';
import type { OutboxRow } from '../outbox.js';
import type { SignalRow } from '../store/signals.js';

/** The case a signal joins with its incident (accepted before it came), as analytics needs it. */
export interface JoinedCase {
  caseId: string;
  organizationId: string | null;
  deadlineAt: Date;
}

/**
 * What registration of a signal tells analytics: the message taken in and classified, and the signal with its term;
 * one that joins an accepted incident is accepted with it, under the organization its case was routed to.
 */
export function signalArrivalEvents(x: ClassifiedMessage, incidentId: string, reactionDueAt: Date | null, joined?: JoinedCase): AnalyticsEventInput[] {
  const { message: m, classification: c } = x;
  const municipality = c.municipality ?? m.place.municipality;
  const common = { messageId: m.messageId, source: m.source, municipality, props: {} };
  const signal = { ...common, category: c.category, kind: c.kind, fastTrack: c.fastTrack, incidentId,
    ...(reactionDueAt ? { deadlineAt: reactionDueAt.toISOString() } : {}), ...(joined?.organizationId ? { organizationId: joined.organizationId } : {}) };
  return [
    { ...common, eventId: eventIdFor(m.messageId, 'received'), type: 'message.received', at: m.receivedAt, authorHash: m.authorHash },
    { ...common, eventId: eventIdFor(m.messageId, 'classified'), type: 'message.classified', at: x.classifiedAt, category: c.category, confidence: c.confidence,
      modelVersion: c.modelVersion, fastTrack: c.fastTrack, kind: c.kind, incidentId },
    { ...signal, eventId: eventIdFor(m.messageId, 'signal.received'), type: 'signal.received', at: m.receivedAt, status: 'new' },
    ...(joined ?
      [{ ...signal, eventId: eventIdFor(m.messageId, 'signal.accepted'), type: 'signal.accepted' as const, at: m.receivedAt, caseId: joined.caseId,
        props: { answerDueAt: joined.deadlineAt.toISOString(), receivedAt: m.receivedAt } }] :
      []),
  ];
}

export type SignalStep = 'signal.accepted' | 'signal.routed' | 'signal.rejected' | 'signal.reacted' | 'signal.answered';

export interface StepExtra {
  caseId?: string | null;
  /** The organization answering the signal, once routing named it: carried on every step after that. */
  organizationId?: string | null;
  actor?: string;
  how?: string;
  /** The answer's deadline (its case's), from acceptance. */
  answerDueAt?: Date | null;
  /** A step that can happen more than once (routing): what tells this one apart, so it is a new event. */
  occurrence?: string;
}

/** What every event of a stored signal says of it: its labels, incident and reaction term as they are now. */
function signalEvent(s: SignalRow, type: SignalStep | 'signal.corrected', eventId: string, at: Date) {
  return {
    eventId,
    type,
    at: at.toISOString(),
    messageId: s.messageId,
    source: s.source,
    category: s.category,
    kind: s.kind,
    fastTrack: s.fastTrack,
    incidentId: s.incidentId,
    ...(s.municipality ? { municipality: s.municipality } : {}),
    ...(s.reactionDueAt ? { deadlineAt: new Date(s.reactionDueAt).toISOString() } : {}),
  };
}

/** One step of each of these signals; `how` says what the reaction was (interim, answer). */
export function signalStepEvents(type: SignalStep, signals: SignalRow[], at: Date, extra: StepExtra = {}): AnalyticsEventInput[] {
  return signals.map((s) => ({
    ...signalEvent(s, type, eventIdFor(s.messageId, type, ...(extra.occurrence ? [extra.occurrence] : [])), at),
    ...(extra.caseId ? { caseId: extra.caseId } : {}),
    ...(extra.organizationId ? { organizationId: extra.organizationId } : {}),
    ...(extra.actor ? { actor: extra.actor } : {}),
    props: { ...(extra.how ? { how: extra.how } : {}), ...(extra.answerDueAt ? { answerDueAt: extra.answerDueAt.toISOString() } : {}),
      receivedAt: new Date(s.receivedAt).toISOString() },
  }));
}

/**
 * The team corrected a signal's kind or category: the event carries the signal's labels and reaction term as they
 * are now (no deadlineAt: no term, as a signal corrected to `other`), so analytics counts the latest term.
 */
export function signalCorrectedEvent(s: SignalRow, change: { field: 'kind' | 'category'; from: string; to: string }, at: Date, actor: string,
  organizationId: string | null): AnalyticsEventInput
{
  return {
    ...signalEvent(s, 'signal.corrected', eventIdFor(s.messageId, 'signal.corrected', change.field, change.from, change.to, at.toISOString()), at),
    ...(organizationId ? { organizationId } : {}),
    actor,
    props: { field: change.field, from: change.from, to: change.to, receivedAt: new Date(s.receivedAt).toISOString() },
  };
}

/** One events job for a step; its id follows the events, so writing the same step twice publishes one job. */
export function eventsRow(events: AnalyticsEventInput[]): OutboxRow[] {
  if (events.length === 0) return [];
  const key = uuidV5(`signal-events:${events.map((e) => e.eventId).sort().join(',')}`);
  return [{ queue: 'events', name: 'signal', jobId: `signal-${key}`, payload: { events } }];
}
