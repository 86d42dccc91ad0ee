/**
 * The team corrects the clustering: merging incidents (their signals join the target, and with it its case or its
 * answer) and splitting a signal off into an incident of its own. An incident already accepted or answered keeps its
 * signals; others may join it, flagged when the answer was already published.
 */
import { uuidV5 } from '../../lib/ids.js';
import type { ModerationResult } from '../../lib/moderation.js';
import { withTransaction } from '../../lib/transaction.js';
import { loadCase } from '../store/cases.js';
import { ensureIncidents, insertIncidentEvent, loadIncident, loadIncidentsForUpdate, moveReplies, updateIncident,
  type IncidentRow } from '../store/incidents.js';
import { moveSignals, signalsForUpdate, signalsOf, type SignalStatus } from '../store/signals.js';
import { Refusal, refuse } from './incidents.js';

async function asResult<T>(run: () => Promise<T>): Promise<ModerationResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, status: err.status, error: err.message };
    throw err;
  }
}

/** What a signal becomes in the incident it joins. */
const joining = (target: IncidentRow): { status: SignalStatus; joinedAfterAnswer: boolean } => ({
  status: target.status === 'accepted' ? 'accepted' : target.status === 'rejected' ? 'rejected' : 'new',
  joinedAfterAnswer: target.status === 'answered',
});

export async function mergeIncidents(db: import('pg').Pool, actor: string, body: { targetId: string; incidentIds: string[] },
  now: Date): Promise<ModerationResult<{ incidentId: string; moved: number }>>
{
  return asResult(() =>
    withTransaction(db, async (sql) => {
      const ids = [...new Set([body.targetId, ...body.incidentIds])];
      const found = await loadIncidentsForUpdate(sql, ids);
      if (found.length !== ids.length) refuse(404, 'some incidents were not found');
      const target = found.find((i) => i.id === body.targetId)!;
      if (target.status === 'rejected') refuse(409, 'the target incident is rejected');
      const sources = found.filter((i) => i.id !== target.id);
      const busy = sources.find((i) => i.status !== 'new');
      if (busy) refuse(409, `incident ${busy.id} is ${busy.status}: merge the others into it instead`);
      let moved = 0;
      for (const source of sources) {
        const signals = await signalsOf(sql, source.id);
        await moveSignals(sql, signals.map((s) => s.messageId), target.id, joining(target));
        await moveReplies(sql, source.id, target.id);
        await updateIncident(sql, source.id, { merged_into: target.id }, now);
        await insertIncidentEvent(sql, { incidentId: source.id, at: now, actor, type: 'merged_into', data: { to: target.id, signals: signals.length } });
        moved += signals.length;
      }
      await updateIncident(sql, target.id, {}, now);
      await insertIncidentEvent(sql, { incidentId: target.id, at: now, actor, type: 'merged', data: { from: sources.map((i) => i.id), signals: moved } });
      return { incidentId: target.id, moved };
    })
  );
}

/** Takes a signal out of its incident into a new one; the message a case was made from stays with its case. */
export async function splitSignal(db: import('pg').Pool, actor: string, messageId: string, now: Date): Promise<ModerationResult<{ incidentId: string }>> {
  return asResult(() =>
    withTransaction(db, async (sql) => {
      const [seen] = await signalsForUpdate(sql, [messageId]);
      if (!seen) return refuse(404, 'signal not found');
      const incident = (await loadIncident(sql, seen.incidentId, true))!;
      if (incident.caseId && (await loadCase(sql, incident.caseId))?.messageId === messageId) {
        refuse(409, "the incident's case was made from this message: split the other messages off instead");
      }
      if ((await signalsOf(sql, incident.id)).length === 1) return { incidentId: incident.id };
      const id = uuidV5(`incident-split:${messageId}:${incident.id}:${incident.version}`);
      await ensureIncidents(sql, [id], now);
      await moveSignals(sql, [messageId], id, { status: 'new', joinedAfterAnswer: false });
      await updateIncident(sql, incident.id, {}, now);
      await updateIncident(sql, id, {}, now);
      await insertIncidentEvent(sql, { incidentId: incident.id, at: now, actor, type: 'split', data: { messageId, to: id } });
      await insertIncidentEvent(sql, { incidentId: id, at: now, actor, type: 'split_from', data: { messageId, from: incident.id } });
      return { incidentId: id };
    })
  );
}
