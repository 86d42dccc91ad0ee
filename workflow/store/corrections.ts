/**
 * `classification_corrections`: the monitoring team's category and kind corrections, kept apart from the case as
 * labelled examples for `otklik train --corrections`.
 */
import type { Sql } from './sql.js';

export type CorrectedField = 'category' | 'kind';

/** A correction of a case's classification, or of a signal's (by its message). */
export async function insertCorrection(sql: Sql,
  c: { caseId?: string; messageId?: string; field: CorrectedField; oldLabel: string; label: string; actor: string; at: Date }): Promise<void>
{
  await sql.query('insert into classification_corrections (case_id, message_id, field, old_label, label, actor, at) values ($1, $2, $3, $4, $5, $6, $7)', [
    c.caseId ?? null,
    c.messageId ?? null,
    c.field,
    c.oldLabel,
    c.label,
    c.actor,
    c.at,
  ]);
}

/** The corrections of one field with the corrected text, oldest first. No personal data: the text and a user id only. */
export async function correctionsOf(sql: Sql, field: CorrectedField): Promise<{ text: string; label: string; at: Date; by: string | null }[]> {
  const r = await sql.query<{ text: string; label: string; at: Date; by: string | null }>(
    `select m.text, k.label, k.at, k.actor::text as by
       from classification_corrections k left join cases c on c.id = k.case_id join messages m on m.id = coalesce(k.message_id, c.message_id)
      where k.field = $1 order by k.at, k.id`,
    [field],
  );
  return r.rows;
}
