/**
 * What happens to an incident and its signals when it is reacted to, answered or rejected, whoever caused it: the
 * team in the inbox (incidents.ts) or a step of the incident's case (a leader's approval, a coordinator's
 * rejection: case-hooks.ts). Each writes the incident, its signals, an `incident_events` entry and the analytics
 * events in the caller's transaction.
 */
import { enqueue } from '../outbox.js';
import { insertIncidentEvent, stampIncidentReaction, updateIncident, type IncidentRow } from '../store/incidents.js';
import { markReacted, setSignalStatus, type SignalRow } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { eventsRow, signalStepEvents } from './events.js';
import { publishReplies, type Published, type ReplyKind } from './publish.js';

export interface StepContext {
  sql: Sql;
  incident: IncidentRow;
  actor: string;
  now: Date;
}

export interface CaseLink {
  caseId: string | null;
  organizationId: string | null;
}

export const logIncident = (ctx: StepContext, type: string, data: Record<string, unknown> = {}, comment?: string | null) =>
  insertIncidentEvent(ctx.sql, { incidentId: ctx.incident.id, at: ctx.now, actor: ctx.actor, type, comment, data });

const publishedData = (p: Published) => ({ queued: p.queued, already: p.already, byHand: p.byHand.map((t) => t.key) });

/** Stamps the first reaction on the signals that had none; returns their `signal.reacted` events. */
async function react(ctx: StepContext, how: ReplyKind, link: CaseLink, only?: string[]) {
  const reacted = await markReacted(ctx.sql, ctx.incident.id, ctx.now, only);
  await stampIncidentReaction(ctx.sql, ctx.incident.id, ctx.now);
  return signalStepEvents('signal.reacted', reacted, ctx.now, { ...link, actor: ctx.actor, how });
}

/** A public «взято в работу» on every thread the region writes in; it counts as the first reaction. */
export async function publishInterim(ctx: StepContext, text: string, link: CaseLink): Promise<Published> {
  const p = await publishReplies(ctx.sql, ctx.incident, 'interim', text, ctx.actor, ctx.now);
  const events = await react(ctx, 'interim', link);
  await updateIncident(ctx.sql, ctx.incident.id, {}, ctx.now);
  await logIncident(ctx, 'interim', publishedData(p), text);
  await enqueue(ctx.sql, eventsRow(events));
  return p;
}

/** The answer on every thread: the incident and its open signals are answered. */
export async function publishAnswer(ctx: StepContext, text: string, link: CaseLink): Promise<Published> {
  const p = await publishReplies(ctx.sql, ctx.incident, 'answer', text, ctx.actor, ctx.now);
  const reacted = await react(ctx, 'answer', link);
  const answered = p.signals.filter((s) => s.status !== 'answered' && s.status !== 'rejected');
  await setSignalStatus(ctx.sql, ctx.incident.id, 'answered', answered.map((s) => s.messageId));
  await updateIncident(ctx.sql, ctx.incident.id, { status: 'answered', answer_text: text, answered_at: ctx.now }, ctx.now);
  await logIncident(ctx, 'answered', { ...publishedData(p), ...(link.caseId ? { caseId: link.caseId } : {}) }, text);
  await enqueue(ctx.sql, eventsRow([...reacted, ...signalStepEvents('signal.answered', answered, ctx.now, { ...link, actor: ctx.actor })]));
  return p;
}

/** The answer again, to the threads that joined after it was published; their signals are answered now. */
export async function publishToNewThreads(ctx: StepContext, link: CaseLink): Promise<Published> {
  const p = await publishReplies(ctx.sql, ctx.incident, 'answer', ctx.incident.answerText ?? '', ctx.actor, ctx.now);
  const waiting = p.signals.filter((s) => s.status === 'new');
  const ids = waiting.map((s) => s.messageId);
  const reacted = await react(ctx, 'answer', link, ids);
  await setSignalStatus(ctx.sql, ctx.incident.id, 'answered', ids);
  await updateIncident(ctx.sql, ctx.incident.id, {}, ctx.now);
  await logIncident(ctx, 'answer_republished', publishedData(p));
  await enqueue(ctx.sql, eventsRow([...reacted, ...signalStepEvents('signal.answered', waiting, ctx.now, { ...link, actor: ctx.actor })]));
  return p;
}

/** Not for the region to answer (or not a problem at all): the clock stops, nothing is published. */
export async function rejectSignals(ctx: StepContext, reason: string, signals: SignalRow[], link: CaseLink): Promise<void> {
  const open = signals.filter((s) => s.status !== 'answered' && s.status !== 'rejected');
  await setSignalStatus(ctx.sql, ctx.incident.id, 'rejected', open.map((s) => s.messageId));
  await updateIncident(ctx.sql, ctx.incident.id, { status: 'rejected', rejection_reason: reason }, ctx.now);
  await logIncident(ctx, 'rejected', link.caseId ? { caseId: link.caseId } : {}, reason);
  await enqueue(ctx.sql, eventsRow(signalStepEvents('signal.rejected', open, ctx.now, { ...link, actor: ctx.actor })));
}
