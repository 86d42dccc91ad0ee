/**
 * The append-only logs of cases and incidents (`case_events`, `incident_events`): an entry says when, who, what and
 * why, beside the columns naming what it is about; both are written the same way.
 */
import type { Sql } from './sql.js';

export interface LogEntryInput {
  at: Date;
  actor: string;
  type: string;
  comment?: string | null;
  data?: Record<string, unknown>;
}

/** Appends one entry to the log; `about` holds the columns of its subject (`case_id`, `incident_id`, …). Returns its id. */
export async function appendLogEntry(sql: Sql, log: 'case_events' | 'incident_events', about: Record<string, unknown>, e: LogEntryInput): Promise<string> {
  const row = { ...about, at: e.at, actor: e.actor, type: e.type, comment: e.comment ?? null, data: JSON.stringify(e.data ?? {}) };
  const columns = Object.keys(row);
  const r = await sql.query<{ id: string }>(
    `insert into ${log} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
    Object.values(row),
  );
  return r.rows[0]!.id;
}
