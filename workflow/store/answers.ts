/** `case_answers`: every saved draft and edited answer is kept with the quality warnings it had. */
import type { Attachment } from '../../lib/queues.js';
import type { LintWarning } from '../answer-lint.js';
import type { Sql } from './sql.js';

export interface Answer {
  id: string;
  text: string;
  attachments: Attachment[];
  lint: LintWarning[];
  author_id: string;
  created_at: Date;
}

export async function insertAnswer(sql: Sql,
  a: { caseId: string; authorId: string; text: string; attachments: Attachment[]; lint: LintWarning[]; at: Date }): Promise<Answer>
{
  const r = await sql.query<{ id: string }>(
    'insert into case_answers (case_id, author_id, text, attachments, lint, created_at) values ($1, $2, $3, $4, $5, $6) returning id',
    [a.caseId, a.authorId, a.text, JSON.stringify(a.attachments), JSON.stringify(a.lint), a.at],
  );
  return { id: r.rows[0]!.id, text: a.text, attachments: a.attachments, lint: a.lint, author_id: a.authorId, created_at: a.at };
}

export async function latestAnswer(sql: Sql, caseId: string): Promise<Answer | undefined> {
  const r = await sql.query<Answer>(
    'select id, text, attachments, lint, author_id, created_at from case_answers where case_id = $1 order by id desc limit 1',
    [caseId],
  );
  return r.rows[0];
}

/** A case's answers, oldest first, with their authors' names. */
export async function answersOf(sql: Sql, caseId: string) {
  const r = await sql.query(
    `select a.id, a.text, a.attachments, a.lint, a.author_id as "authorId", u.display_name as "authorName", a.created_at as "createdAt"
       from case_answers a join users u on u.id = a.author_id where a.case_id = $1 order by a.id`,
    [caseId],
  );
  return r.rows;
}
