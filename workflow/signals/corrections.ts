/**
 * The team corrects what the classifier said of a signal — its kind (complaint / question / other) or its category —
 * as it corrected posts before they were signals: the signal takes the new label (a kind of `other` has no reaction
 * term, another kind gets the region's), the incident's log says who changed what, the correction is kept in
 * `classification_corrections` for `otklik train --corrections`, and analytics is told (`signal.corrected`), so a
 * signal corrected to `other` stops counting as overdue.
 */
import type { ModerationResult } from '../../lib/moderation.js';
import { reactionDueAt } from '../../lib/signal-terms.js';
import { enqueue } from '../outbox.js';
import { loadCase } from '../store/cases.js';
import { insertCorrection } from '../store/corrections.js';
import { updateIncident } from '../store/incidents.js';
import { correctSignal, signalById, signalsForUpdate } from '../store/signals.js';
import { eventsRow, signalCorrectedEvent } from './events.js';
import { logIncident } from './incident-steps.js';
import { onIncident, type IncidentDeps } from './incidents.js';

export interface SignalCorrection {
  field: 'kind' | 'category';
  label: string;
}

export async function correctSignalLabel(deps: IncidentDeps, actor: string, messageId: string, c: SignalCorrection,
  now: Date): Promise<ModerationResult<{ incidentId: string; kind: string; category: string; reactionDueAt: Date | null }>>
{
  // Found without a lock first: the incident's case and the incident are locked before the signal, as every action does.
  const seen = await signalById(deps.db, messageId);
  if (!seen) return { ok: false, status: 404, error: 'signal not found' };
  return onIncident(deps, seen.incidentId, actor, undefined, now, async (ctx) => {
    const [s] = await signalsForUpdate(ctx.sql, [messageId]);
    if (!s || s.incidentId !== ctx.incident.id) throw new Error('the signal moved while being corrected; try again');
    const old = s[c.field];
    if (old === c.label) return { incidentId: s.incidentId, kind: s.kind, category: s.category, reactionDueAt: s.reactionDueAt };
    const due = c.field === 'kind' ? reactionDueAt(new Date(s.receivedAt), { kind: c.label, fastTrack: s.fastTrack }, deps.terms) : s.reactionDueAt;
    await correctSignal(ctx.sql, messageId, c.field === 'kind' ? { kind: c.label, reactionDueAt: due } : { category: c.label });
    await insertCorrection(ctx.sql, { messageId, field: c.field, oldLabel: old, label: c.label, actor, at: now });
    await updateIncident(ctx.sql, s.incidentId, {}, now);
    await logIncident(ctx, `${c.field}_corrected`, { messageId, from: old, to: c.label });
    const organizationId = ctx.incident.caseId ? (await loadCase(ctx.sql, ctx.incident.caseId))?.organizationId ?? null : null;
    const corrected = { ...s, [c.field]: c.label, reactionDueAt: due };
    await enqueue(ctx.sql, eventsRow([signalCorrectedEvent(corrected, { field: c.field, from: old, to: c.label }, now, actor, organizationId)]));
    return { incidentId: s.incidentId, kind: c.field === 'kind' ? c.label : s.kind, category: c.field === 'category' ? c.label : s.category,
      reactionDueAt: due };
  });
}
