/**
 * A case made from an incident keeps the ПОС lifecycle; three of its steps reach back to the incident: routing tells
 * analytics which organization answers the incident's signals, the answer (a leader approved it) is published to
 * every thread of the incident, and a rejection closes the incident.
 * Called by transitions.ts inside the step's transaction, with the case already locked (case, then incident: the
 * order every incident action that touches the case also takes).
 */
import type { CaseStatus } from '../../lib/queues.js';
import type { CaseRow } from '../store/cases.js';
import { incidentOfCase } from '../store/incidents.js';
import { signalsOf } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { enqueue } from '../outbox.js';
import { eventsRow, signalStepEvents } from './events.js';
import { publishAnswer, rejectSignals } from './incident-steps.js';

export async function afterSignalCaseStep(sql: Sql, c: CaseRow, to: CaseStatus, step: { actor: string; answerText?: string; reason?: string },
  now: Date): Promise<void>
{
  if (to === 'routed' && c.organizationId) return routedSignals(sql, c, step.actor, now);
  if (to !== 'answered' && to !== 'rejected') return;
  const incident = await incidentOfCase(sql, c.id, true);
  if (!incident || incident.status === 'answered' || incident.status === 'rejected') return;
  const ctx = { sql, incident, actor: step.actor, now };
  const link = { caseId: c.id, organizationId: c.organizationId };
  if (to === 'answered') await publishAnswer(ctx, step.answerText ?? '', link);
  else await rejectSignals(ctx, step.reason ?? '', await signalsOf(sql, incident.id), link);
}

/** Each routing step (accept, redirect, a give-back) names the organization again; the version tells the steps apart. */
async function routedSignals(sql: Sql, c: CaseRow, actor: string, now: Date): Promise<void> {
  const incident = await incidentOfCase(sql, c.id, true);
  if (!incident) return;
  const open = (await signalsOf(sql, incident.id)).filter((s) => s.status !== 'rejected');
  await enqueue(sql, eventsRow(
    signalStepEvents('signal.routed', open, now, { caseId: c.id, organizationId: c.organizationId, actor, answerDueAt: c.deadlineAt,
      occurrence: `v${c.version}` }),
  ));
}
