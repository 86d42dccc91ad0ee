/**
 * A poll's discussion and free-text answers: citizens' comments wait for moderation, officials' replies are
 * published at once under their name, free-text answers are approved or rejected before they are shown.
 */
import type { Page, Sql } from '../store/sql.js';

export type CommentStatus = 'pending' | 'published' | 'rejected';

/** Comments in one state, oldest first; the public view leaves the state out. */
export async function listComments(sql: Sql, pollId: string, opts: Page & { status: CommentStatus; withStatus: boolean }) {
  const r = await sql.query(
    `select id, parent_id as "parentId", author_kind as "authorKind", author_name as "authorName", text,${
      opts.withStatus ? ' status,' : ''
    } created_at as "createdAt"
       from poll_comments where poll_id = $1 and status = $2 order by created_at, id limit $3 offset $4`,
    [pollId, opts.status, opts.limit, opts.offset],
  );
  return r.rows;
}

/** Whether a comment of this poll (a published one, if asked) exists: replies name their parent. */
export async function commentExists(sql: Sql, pollId: string, commentId: string, publishedOnly: boolean): Promise<boolean> {
  const r = await sql.query(`select 1 from poll_comments where id = $1 and poll_id = $2${publishedOnly ? " and status = 'published'" : ''}`, [commentId,
    pollId]);
  return (r.rowCount ?? 0) > 0;
}

/** A verified citizen's comment; it waits for moderation. */
export async function insertCitizenComment(sql: Sql,
  c: { pollId: string; parentId?: string; identityHash: string; name: string; text: string }): Promise<string>
{
  const r = await sql.query<{ id: string }>(
    `insert into poll_comments (poll_id, parent_id, author_kind, identity_hash, author_name, text) values ($1, $2, 'citizen', $3, $4, $5) returning id`,
    [c.pollId, c.parentId ?? null, c.identityHash, c.name, c.text],
  );
  return r.rows[0]!.id;
}

/** An official's reply or statement: published at once, signed with the official's name. */
export async function insertOfficialComment(sql: Sql, c: { pollId: string; parentId?: string; userId: string; name: string; text: string }): Promise<string> {
  const r = await sql.query<{ id: string }>(
    `insert into poll_comments (poll_id, parent_id, author_kind, user_id, author_name, text, status, moderated_by, moderated_at)
     values ($1, $2, 'official', $3, $4, $5, 'published', $3, now()) returning id`,
    [c.pollId, c.parentId ?? null, c.userId, c.name, c.text],
  );
  return r.rows[0]!.id;
}

/** Publishes or rejects a citizen's comment; false when there is no such comment of this poll. */
export async function moderateComment(sql: Sql,
  m: { pollId: string; commentId: string; decision: 'published' | 'rejected'; userId: string }): Promise<boolean>
{
  const r = await sql.query(
    `update poll_comments set status = $3, moderated_by = $4, moderated_at = now() where id = $2 and poll_id = $1 and author_kind = 'citizen'`,
    [m.pollId, m.commentId, m.decision, m.userId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Free-text answers in one moderation state, in the order they were cast. */
export async function listTextAnswers(sql: Sql, pollId: string, opts: Page & { moderation: 'pending' | 'approved' | 'rejected' }) {
  const r = await sql.query(
    `select a.vote_id as "voteId", a.question_id as "questionId", a.text, a.moderation from vote_answers a join votes v on v.id = a.vote_id
      where v.poll_id = $1 and a.text is not null and a.moderation = $2 order by v.cast_at, a.vote_id limit $3 offset $4`,
    [pollId, opts.moderation, opts.limit, opts.offset],
  );
  return r.rows;
}

/** Approves or rejects one free-text answer; false when there is no such answer in this poll. */
export async function moderateTextAnswer(sql: Sql,
  m: { pollId: string; voteId: string; questionId: string; decision: 'approved' | 'rejected' }): Promise<boolean>
{
  const r = await sql.query(
    `update vote_answers a set moderation = $4 from votes v where v.id = a.vote_id and v.poll_id = $1 and a.vote_id = $2 and a.question_id = $3 and a.text is not null`,
    [m.pollId, m.voteId, m.questionId, m.decision],
  );
  return (r.rowCount ?? 0) > 0;
}
