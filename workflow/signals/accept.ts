/**
 * An accepted incident becomes ONE case, registered like any case (number, log entry, reminders, `case.created`),
 * made from its lead signal and marked `origin = signal`: the ПОС lifecycle runs unchanged (routing, executor,
 * approval), its deadline is the region's answer term for signals in hours, and its answer goes to the incident's
 * threads instead of a citizen's channel.
 */
import { eventIdFor } from '../../lib/ids.js';
import type { AnalyticsEventInput } from '../../lib/queues.js';
import { answerDueAt, type SignalTerms } from '../../lib/signal-terms.js';
import { enqueue } from '../outbox.js';
import { caseIdFor } from '../register-case.js';
import { planReminders, scheduleReminders } from '../reminders.js';
import { insertCases, insertRegistrationEvents, type NewCase } from '../store/cases.js';
import { updateIncident } from '../store/incidents.js';
import { setSignalStatus, signalsOf, type SignalRow } from '../store/signals.js';
import { eventsRow, signalStepEvents } from './events.js';
import { logIncident, type StepContext } from './incident-steps.js';
import { incidentKind, incidentSuggestions, leadOf } from './threads.js';

function newCaseOf(incidentId: string, signals: SignalRow[], terms: SignalTerms, now: Date): NewCase {
  const lead = leadOf(signals);
  const fastTrack = signals.some((s) => s.fastTrack);
  const hours = fastTrack ? terms.answerHours.fastTrack : terms.answerHours.default;
  const suggestions = incidentSuggestions(signals.map((s) => s.routing));
  return {
    id: caseIdFor(lead.messageId),
    messageId: lead.messageId,
    category: lead.category,
    confidence: lead.confidence,
    kind: incidentKind(signals),
    fastTrack,
    deadlineDays: Math.max(1, Math.ceil(hours / 24)),
    deadlineRule: `signal:${hours}h`,
    federalService: null,
    municipality: lead.municipality ?? signals.find((s) => s.municipality)?.municipality ?? null,
    modelVersion: lead.modelVersion,
    deadlineAt: answerDueAt(now, fastTrack, terms),
    incidentId,
    routing: suggestions.length ? JSON.stringify(suggestions) : null,
    origin: 'signal',
  };
}

function caseCreatedEvent(c: NewCase, lead: SignalRow, now: Date): AnalyticsEventInput {
  return { eventId: eventIdFor(lead.messageId, 'case.created'), type: 'case.created', at: now.toISOString(), caseId: c.id, messageId: lead.messageId,
    source: lead.source, category: c.category, ...(c.municipality ? { municipality: c.municipality } : {}), fastTrack: c.fastTrack, status: 'moderation',
    deadlineAt: c.deadlineAt.toISOString(), incidentId: c.incidentId ?? undefined, props: { origin: 'signal' } };
}

/** Registers the incident's case in moderation; the caller routes it. */
export async function createIncidentCase(ctx: StepContext, terms: SignalTerms, reminderDaysBefore?: number[]) {
  const { sql, incident, now } = ctx;
  const signals = await signalsOf(sql, incident.id);
  const c = newCaseOf(incident.id, signals, terms, now);
  const numberOf = await insertCases(sql, [c], 'moderation', now);
  await insertRegistrationEvents(sql, [{ caseId: c.id,
    data: { origin: 'signal', incidentId: incident.id, signals: signals.length, category: c.category, fastTrack: c.fastTrack, deadlineRule: c.deadlineRule,
      acceptedBy: ctx.actor } }], 'moderation', now);
  // Hour terms: reminders that would fall before the acceptance itself are left out.
  await scheduleReminders(sql, c.id, planReminders(c.deadlineAt, 0, reminderDaysBefore).filter((r) => r.dueAt > now), now);
  const open = signals.filter((s) => s.status === 'new');
  await setSignalStatus(sql, incident.id, 'accepted', open.map((s) => s.messageId));
  await updateIncident(sql, incident.id, { status: 'accepted', case_id: c.id }, now);
  await logIncident(ctx, 'accepted', { caseId: c.id, registrationNumber: numberOf.get(c.id) });
  await enqueue(sql,
    eventsRow([caseCreatedEvent(c, leadOf(signals), now),
      ...signalStepEvents('signal.accepted', open, now, { caseId: c.id, actor: ctx.actor, answerDueAt: c.deadlineAt })]));
  return { caseId: c.id, registrationNumber: numberOf.get(c.id)! };
}
