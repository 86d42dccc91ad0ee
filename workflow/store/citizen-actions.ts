/** `citizen_actions`: each rating or repeat-review request from a channel is applied once per action id. */
import type { Sql } from './sql.js';

export async function citizenActionSeen(sql: Sql, actionId: string): Promise<boolean> {
  return ((await sql.query('select 1 from citizen_actions where action_id = $1', [actionId])).rowCount ?? 0) > 0;
}

/** Records what became of the action; false when it was recorded before. */
export async function recordCitizenAction(sql: Sql, a: { actionId: string; caseId: string | null; kind: string; outcome: string; at: Date }): Promise<boolean> {
  const r = await sql.query(
    'insert into citizen_actions (action_id, case_id, kind, outcome, applied_at) values ($1, $2, $3, $4, $5) on conflict do nothing',
    [a.actionId, a.caseId, a.kind, a.outcome, a.at],
  );
  return r.rowCount === 1;
}
