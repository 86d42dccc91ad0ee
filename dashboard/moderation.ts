/**
 * The monitoring team's own data operations: the inbox query, category and complaint corrections (kept as
 * training feedback), and merging/splitting incidents. Plain functions over PostgreSQL; the HTTP layer is in
 * inbox.ts. Every change is one transaction with an append-only case_events entry.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { z } from 'zod';
import { pgInt } from '../lib/request-schemas.js';
import { SOURCES } from '../lib/queues.js';

export const inboxQuery = z.object({
  status: z.enum(['moderation', 'routed', 'rejected', 'all']).default('moderation'),
  source: z.enum(SOURCES).optional(),
  kind: z.enum(['complaint', 'question', 'other']).optional(),
  municipality: z.string().trim().min(1).max(300).optional(),
  category: z.string().trim().min(1).max(200).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(['newest', 'urgent']).default('newest'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

export interface InboxItem {
  id: string;
  registrationNumber: string;
  status: string;
  version: number;
  source: string;
  link: string | null;
  text: string;
  category: string;
  confidence: number;
  kind: string;
  municipality: string | null;
  incidentId: string;
  mentions: number;
  fastTrack: boolean;
  registeredAt: string;
  deadlineAt: string;
}

/** Incoming posts and calls, one row per case, with how many cases share its incident. */
export async function listInbox(db: pg.Pool, q: InboxQuery): Promise<{ items: InboxItem[]; total: number }> {
  const args = [q.status === 'all' ? null : q.status, q.source ?? null, q.kind ?? null, q.municipality ?? null, q.category ?? null,
    q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null];
  const where = `($1::text is null or c.status = $1) and ($2::text is null or m.source = $2) and ($3::text is null or c.kind = $3)
    and ($4::text is null or c.municipality = $4) and ($5::text is null or c.category = $5) and ($6::text is null or m.text ilike $6)`;
  // Urgent: fast-track first, then the nearest deadline; newest: the latest registration first.
  const order = q.sort === 'urgent' ? 'c.fast_track desc, c.deadline_at asc, c.id' : 'c.registered_at desc, c.id';
  const [rows, total] = await Promise.all([
    db.query<InboxItem>(
      `select c.id, c.registration_number as "registrationNumber", c.status, c.version, m.source, m.link, m.text, c.category,
              c.confidence, c.kind, c.municipality, coalesce(c.incident_id, c.id::text) as "incidentId",
              case when c.incident_id is null then 1
                   else (select count(*)::int from cases x where x.incident_id = c.incident_id) end as mentions,
              c.fast_track as "fastTrack", c.registered_at as "registeredAt", c.deadline_at as "deadlineAt"
         from cases c join messages m on m.id = c.message_id
        where ${where}
        order by ${order} limit $7`,
      [...args, q.limit],
    ),
    db.query<{ n: number }>(`select count(*)::int as n from cases c join messages m on m.id = c.message_id where ${where}`, args),
  ]);
  return { items: rows.rows, total: total.rows[0]!.n };
}

/** Filter values the inbox offers: categories and municipalities seen so far. */
export async function inboxFacets(db: pg.Pool): Promise<{ categories: string[]; municipalities: string[] }> {
  const [cats, munis] = await Promise.all([
    db.query<{ v: string }>('select distinct category as v from cases order by 1 limit 500'),
    db.query<{ v: string }>('select distinct municipality as v from cases where municipality is not null order by 1 limit 500'),
  ]);
  return { categories: cats.rows.map((r) => r.v), municipalities: munis.rows.map((r) => r.v) };
}

/** The newest registration, for the live feed: clients reload when it changes. */
export async function inboxMark(db: pg.Pool): Promise<string> {
  const r = await db.query<{ mark: string }>(`select coalesce(max(created_at)::text, '') || '/' || count(*)::text as mark from cases`);
  return r.rows[0]!.mark;
}

export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error: string };

export const correctionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('category'), label: z.string().trim().min(1).max(200), expectedVersion: pgInt.min(0) }),
  z.object({ field: z.literal('kind'), label: z.enum(['complaint', 'question', 'other']), expectedVersion: pgInt.min(0) }),
]);
export type CorrectionBody = z.infer<typeof correctionBody>;

async function inTransaction<T>(db: pg.Pool, fn: (c: pg.PoolClient) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const out = await fn(client);
    await client.query(out.ok ? 'commit' : 'rollback');
    return out;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Corrects the category, or the complaint/question/other kind, of a case: the case takes the new value (its
 * version moves, like any change), the log records who changed what, and the correction is kept for training.
 */
export async function correctCase(db: pg.Pool, actorId: string, caseId: string, body: CorrectionBody): Promise<Outcome<{ version: number }>> {
  return inTransaction(db, async (c) => {
    const cur = await c.query<{ category: string; kind: string; version: number; status: string }>(
      'select category, kind, version, status from cases where id = $1 for update', [caseId]);
    const row = cur.rows[0];
    if (!row) return { ok: false, status: 404, error: 'case not found' };
    if (row.version !== body.expectedVersion) return { ok: false, status: 409, error: `the case changed (version ${row.version}); reload it` };
    const old = body.field === 'category' ? row.category : row.kind;
    if (old === body.label) return { ok: true, value: { version: row.version } };
    const upd = await c.query<{ version: number }>(
      `update cases set ${body.field === 'category' ? 'category' : 'kind'} = $2, version = version + 1, updated_at = now() where id = $1 returning version`,
      [caseId, body.label]);
    await c.query(
      `insert into case_events (case_id, actor, type, from_status, to_status, comment, data) values ($1, $2, $3, $4, $4, null, $5)`,
      [caseId, actorId, body.field === 'category' ? 'category_corrected' : 'kind_corrected', row.status, JSON.stringify({ from: old, to: body.label })]);
    await c.query('insert into classification_corrections (case_id, field, old_label, label, actor) values ($1, $2, $3, $4, $5)',
      [caseId, body.field, old, body.label, actorId]);
    return { ok: true, value: { version: upd.rows[0]!.version } };
  });
}

export const mergeBody = z.object({ targetId: z.uuid(), caseIds: z.array(z.uuid()).min(1).max(200) });

/** Puts cases into the target's incident (the target's own id when it has none yet). */
export async function mergeIncident(db: pg.Pool, actorId: string, body: z.infer<typeof mergeBody>): Promise<Outcome<{ incidentId: string; moved: number }>> {
  return inTransaction(db, async (c) => {
    const ids = [...new Set([body.targetId, ...body.caseIds])];
    const found = await c.query<{ id: string; incident_id: string | null; status: string }>(
      'select id, incident_id, status from cases where id = any($1::uuid[]) order by id for update', [ids]);
    if (found.rowCount !== ids.length) return { ok: false, status: 404, error: 'some cases were not found' };
    const target = found.rows.find((r) => r.id === body.targetId)!;
    const incidentId = target.incident_id ?? target.id;
    let moved = 0;
    for (const r of found.rows) {
      if (r.incident_id === incidentId) continue;
      await c.query('update cases set incident_id = $2, updated_at = now() where id = $1', [r.id, incidentId]);
      await c.query(
        `insert into case_events (case_id, actor, type, from_status, to_status, data) values ($1, $2, 'incident_merged', $3, $3, $4)`,
        [r.id, actorId, r.status, JSON.stringify({ from: r.incident_id ?? r.id, to: incidentId })]);
      moved++;
    }
    return { ok: true, value: { incidentId, moved } };
  });
}

/** Takes a case out of its incident: it becomes an incident of its own. */
export async function splitIncident(db: pg.Pool, actorId: string, caseId: string): Promise<Outcome<{ incidentId: string }>> {
  return inTransaction(db, async (c) => {
    const r = await c.query<{ incident_id: string | null; status: string }>('select incident_id, status from cases where id = $1 for update', [caseId]);
    const row = r.rows[0];
    if (!row) return { ok: false, status: 404, error: 'case not found' };
    if (row.incident_id === null || row.incident_id === caseId) return { ok: true, value: { incidentId: caseId } };
    await c.query('update cases set incident_id = $2, updated_at = now() where id = $1', [caseId, caseId]);
    await c.query(`insert into case_events (case_id, actor, type, from_status, to_status, data) values ($1, $2, 'incident_split', $3, $3, $4)`,
      [caseId, actorId, row.status, JSON.stringify({ from: row.incident_id, to: caseId })]);
    return { ok: true, value: { incidentId: caseId } };
  });
}

/**
 * Writes the corrections as the JSON Lines `otklik train --corrections` reads (classify/feedback.ts):
 * `{"text","label","at","by"}`. Category corrections train the rubricator; kind corrections (complaint / question /
 * other) the complaint detector, so each goes to its own file. No personal data: the text and a user id only.
 */
export async function exportCorrections(db: pg.Pool, file: string, field: 'category' | 'kind' = 'category'): Promise<number> {
  const r = await db.query<{ text: string; label: string; at: Date; by: string | null }>(
    `select m.text, k.label, k.at, k.actor::text as by
       from classification_corrections k join cases c on c.id = k.case_id join messages m on m.id = c.message_id
      where k.field = $1 order by k.at, k.id`, [field]);
  const lines = r.rows.map((x) => JSON.stringify({ text: x.text, label: x.label, at: x.at.toISOString(), ...(x.by ? { by: x.by } : {}) }));
  fs.writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
