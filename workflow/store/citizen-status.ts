/** What the public status page reads of a case: the case row by its number, its public history and its latest answer. */
import type { Attachment, CaseStatus } from '../../lib/queues.js';
import type { Sql } from './sql.js';

export interface StatusCaseRow {
  id: string;
  registrationNumber: string;
  status: CaseStatus;
  category: string;
  organizationName: string | null;
  registeredAt: Date;
  deadlineAt: Date;
  rating: number | null;
  reviewCycle: number;
  rejectionReason: string | null;
}

export async function caseByNumber(sql: Sql, registrationNumber: string): Promise<StatusCaseRow | undefined> {
  const r = await sql.query<StatusCaseRow>(
    `select c.id, c.registration_number as "registrationNumber", c.status, c.category, o.name as "organizationName",
            c.registered_at as "registeredAt", c.deadline_at as "deadlineAt", c.rating, c.review_cycle as "reviewCycle",
            c.rejection_reason as "rejectionReason"
       from cases c left join organizations o on o.id = c.organization_id where c.registration_number = $1`,
    [registrationNumber],
  );
  return r.rows[0];
}

export interface PublicEvent {
  at: Date;
  type: string;
  data: Record<string, unknown>;
}

/** The audit entries a citizen may see the fact of (never who did it, nor staff comments). */
export async function publicEvents(sql: Sql, caseId: string, types: readonly string[]): Promise<PublicEvent[]> {
  const r = await sql.query<PublicEvent>(
    'select at, type, data from case_events where case_id = $1 and type = any($2::text[]) order by id',
    [caseId, types],
  );
  return r.rows;
}

/** The answer sent in the latest round: the one the last «send-answer» step names. */
export async function sentAnswer(sql: Sql, caseId: string): Promise<{ text: string; attachments: Attachment[]; at: Date } | undefined> {
  const r = await sql.query<{ text: string; attachments: Attachment[]; at: Date }>(
    `select a.text, a.attachments, e.at
       from case_events e join case_answers a on a.id = (e.data->>'answerId')::bigint
      where e.case_id = $1 and e.type = 'send-answer' order by e.id desc limit 1`,
    [caseId],
  );
  return r.rows[0];
}
