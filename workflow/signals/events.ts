/**
 * The analytics events of signals (no personal data: no texts, no authors), with ids derived from the message and
 * what happened to it, so a re-emitted event is the same event and ClickHouse keeps one.
 */
import { eventIdFor, uuidV5 } from '../../lib/ids.js';
import type { AnalyticsEventInput, ClassifiedMessage } from '../../lib/queues.js';
import type { OutboxRow } from '../outbox.js';
import type { SignalRow } from '../store/signals.js';

/** What registration of a signal tells analytics: the message taken in and classified, and the signal with its term. */
export function signalArrivalEvents(x: ClassifiedMessage, incidentId: string, reactionDueAt: Date | null): AnalyticsEventInput[] {
  const { message: m, classification: c } = x;
  const municipality = c.municipality ?? m.place.municipality;
  const common = { messageId: m.messageId, source: m.source, municipality, props: {} };
  return [
    { ...common, eventId: eventIdFor(m.messageId, 'received'), type: 'message.received', at: m.receivedAt, authorHash: m.authorHash },
    { ...common, eventId: eventIdFor(m.messageId, 'classified'), type: 'message.classified', at: x.classifiedAt,
      category: c.category, confidence: c.confidence, modelVersion: c.modelVersion, fastTrack: c.fastTrack, kind: c.kind, incidentId },
    { ...common, eventId: eventIdFor(m.messageId, 'signal.received'), type: 'signal.received', at: m.receivedAt, category: c.category,
      kind: c.kind, fastTrack: c.fastTrack, incidentId, status: 'new', ...(reactionDueAt ? { deadlineAt: reactionDueAt.toISOString() } : {}) },
  ];
}

export type SignalStep = 'signal.accepted' | 'signal.rejected' | 'signal.reacted' | 'signal.answered';

/** One step of each of these signals; `how` says what the reaction was (interim, answer). */
export function signalStepEvents(type: SignalStep, signals: SignalRow[], at: Date,
  extra: { caseId?: string | null; organizationId?: string | null; actor?: string; how?: string } = {}): AnalyticsEventInput[] {
  return signals.map((s) => ({
    eventId: eventIdFor(s.messageId, type), type, at: at.toISOString(), messageId: s.messageId, source: s.source, category: s.category,
    kind: s.kind, fastTrack: s.fastTrack, incidentId: s.incidentId, ...(s.municipality ? { municipality: s.municipality } : {}),
    ...(s.reactionDueAt ? { deadlineAt: new Date(s.reactionDueAt).toISOString() } : {}),
    ...(extra.caseId ? { caseId: extra.caseId } : {}), ...(extra.organizationId ? { organizationId: extra.organizationId } : {}),
    ...(extra.actor ? { actor: extra.actor } : {}),
    props: { ...(extra.how ? { how: extra.how } : {}), receivedAt: new Date(s.receivedAt).toISOString() },
  }));
}

/** One events job for a step; its id follows the events, so writing the same step twice publishes one job. */
export function eventsRow(events: AnalyticsEventInput[]): OutboxRow[] {
  if (events.length === 0) return [];
  const key = uuidV5(`signal-events:${events.map((e) => e.eventId).sort().join(',')}`);
  return [{ queue: 'events', name: 'signal', jobId: `signal-${key}`, payload: { events } }];
}
