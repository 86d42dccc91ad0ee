/**
 * The monitoring team's operations on cases, served to the dashboard's inbox through functions main.ts binds
 * (lib/moderation.ts is the contract): the inbox query, category and complaint corrections (kept as training
 * feedback), and merging/splitting incidents. Every change goes through transitions.ts like any other step: one
 * transaction with the case row, an audit entry and the analytics event in the outbox, so corrections and incident
 * moves reach ClickHouse.
 */
import fs from 'node:fs';
import type pg from 'pg';
import type { CorrectionBody, InboxItem, InboxQuery, MergeBody, Moderation, ModerationResult } from '../lib/moderation.js';
import { DEFAULT_REGION_RULES, type RegionRules } from '../lib/region-config.js';
import { withTransaction } from '../lib/transaction.js';
import type { OutboxRelay } from './outbox.js';
import { loadCase, loadCasesForUpdate } from './store/cases.js';
import { correctionsOf, insertCorrection } from './store/corrections.js';
import * as inbox from './store/inbox.js';
import { recomputeAfterCategory } from './term-change.js';
import { recordCorrection } from './transitions.js';

/** Incoming posts and calls, one row per case, with how many cases share its incident. */
export const listInbox = (db: pg.Pool, q: InboxQuery): Promise<{ items: InboxItem[]; total: number }> => inbox.listInbox(db, q);

/** Filter values the inbox offers: categories and municipalities seen so far. */
export const inboxFacets = (db: pg.Pool) => inbox.inboxFacets(db, 'cases');

/** The newest registration, for the live feed: clients reload when it changes. */
export const inboxMark = (db: pg.Pool) => inbox.inboxMark(db);

/**
 * Corrects the category, or the complaint/question/other kind, of a case: the case takes the new value (its
 * version moves, like any change), the log records who changed what, and the correction is kept for training. A new
 * category may change the term (a fast-track category): it is recomputed with an audit entry saying why.
 */
export async function correctCase(db: pg.Pool, actorId: string, caseId: string, body: CorrectionBody, now = new Date(),
  region: RegionRules = DEFAULT_REGION_RULES, reminderDaysBefore?: number[]): Promise<ModerationResult<{ version: number }>>
{
  return withTransaction(db, async (sql) => {
    const c = await loadCase(sql, caseId, true);
    if (!c) return { ok: false, status: 404, error: 'case not found' };
    if (c.version !== body.expectedVersion) return { ok: false, status: 409, error: `the case changed (version ${c.version}); reload it` };
    const old = c[body.field];
    if (old === body.label) return { ok: true, value: { version: c.version } };
    const r = await recordCorrection(sql, c, { field: body.field, label: body.label }, actorId, now);
    await insertCorrection(sql, { caseId, field: body.field, oldLabel: old, label: body.label, actor: actorId, at: now });
    const term = body.field === 'category'
      ? await recomputeAfterCategory({ sql, c: r.case, actor: actorId, now, region, reminderDaysBefore }, old) :
      undefined;
    return { ok: true, value: { version: (term ?? r).case.version } };
  });
}

const SIGNAL_CASE = 'a case made from signals is regrouped as its incident, in the monitoring view of the inbox';

/** Puts cases into the target's incident (the target's own id when it has none yet). */
export async function mergeIncident(db: pg.Pool, actorId: string, body: MergeBody,
  now = new Date()): Promise<ModerationResult<{ incidentId: string; moved: number }>>
{
  return withTransaction(db, async (sql) => {
    const ids = [...new Set([body.targetId, ...body.caseIds])];
    const found = await loadCasesForUpdate(sql, ids);
    if (found.length !== ids.length) return { ok: false, status: 404, error: 'some cases were not found' };
    if (found.some((c) => c.origin === 'signal')) return { ok: false, status: 409, error: SIGNAL_CASE };
    const target = found.find((c) => c.id === body.targetId)!;
    const incidentId = target.incidentId ?? target.id;
    const moving = found.filter((c) => c.incidentId !== incidentId);
    for (const c of moving) await recordCorrection(sql, c, { field: 'incident', incidentId, how: 'merged' }, actorId, now);
    return { ok: true, value: { incidentId, moved: moving.length } };
  });
}

/** Takes a case out of its incident: it becomes an incident of its own. */
export async function splitIncident(db: pg.Pool, actorId: string, caseId: string, now = new Date()): Promise<ModerationResult<{ incidentId: string }>> {
  return withTransaction(db, async (sql) => {
    const c = await loadCase(sql, caseId, true);
    if (!c) return { ok: false, status: 404, error: 'case not found' };
    if (c.origin === 'signal') return { ok: false, status: 409, error: SIGNAL_CASE };
    if (c.incidentId !== null && c.incidentId !== caseId) await recordCorrection(sql, c, { field: 'incident', incidentId: caseId, how: 'split' }, actorId, now);
    return { ok: true, value: { incidentId: caseId } };
  });
}

/** The inbox operations bound to the database, as main.ts hands them to the dashboard; a change nudges the relay. */
export function bindModeration(db: pg.Pool,
  opts: { relay?: Pick<OutboxRelay, 'nudge'>; now?: () => Date; region?: RegionRules; reminderDaysBefore?: number[] } = {}): Moderation
{
  const now = opts.now ?? (() => new Date());
  const nudged = async <T>(result: Promise<ModerationResult<T>>) => {
    const out = await result;
    if (out.ok) opts.relay?.nudge();
    return out;
  };
  return {
    listInbox: (q) => listInbox(db, q),
    inboxFacets: () => inboxFacets(db),
    inboxMark: () => inboxMark(db),
    correctCase: (actorId, caseId, body) => nudged(correctCase(db, actorId, caseId, body, now(), opts.region, opts.reminderDaysBefore)),
    mergeIncident: (actorId, body) => nudged(mergeIncident(db, actorId, body, now())),
    splitIncident: (actorId, caseId) => nudged(splitIncident(db, actorId, caseId, now())),
  };
}

/**
 * Writes the corrections as the JSON Lines `otklik train --corrections` reads (classify/feedback.ts):
 * `{"text","label","at","by"}`. Category corrections train the rubricator; kind corrections (complaint / question /
 * other) the complaint detector, so each goes to its own file. No personal data: the text and a user id only.
 */
export async function exportCorrections(db: pg.Pool, file: string, field: 'category' | 'kind' = 'category'): Promise<number> {
  const rows = await correctionsOf(db, field);
  const lines = rows.map((x) => JSON.stringify({ text: x.text, label: x.label, at: x.at.toISOString(), ...(x.by ? { by: x.by } : {}) }));
  fs.writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
