/**
 * The monitoring team's actions on an incident as a whole: accept (it becomes one case, routed at once when an
 * organization is named or the routing model is asked), route, reject, the interim «взято в работу», the team's own
 * answer, and the answer again to threads that joined after it. Each runs in one transaction: the incident is
 * locked (after its case, the order case steps take too), its version checked, and a refusal is a value; a refusal
 * found after something was written (an organization the routing cannot reach) rolls the whole action back.
 */
import type pg from 'pg';
import type { ModerationResult } from '../../lib/moderation.js';
import { DEFAULT_REGION_RULES, type RegionRules } from '../../lib/region-config.js';
import { reminderDaysOf } from '../reminders.js';
import type { SignalTerms } from '../../lib/signal-terms.js';
import { withTransaction } from '../../lib/transaction.js';
import { ACTION_HANDLERS } from '../actions.js';
import { RULES } from '../rules.js';
import { loadCase } from '../store/cases.js';
import { loadIncident, type IncidentRow } from '../store/incidents.js';
import { signalsOf } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { createIncidentCase } from './accept.js';
import { publishAnswer, publishInterim, publishToNewThreads, rejectSignals, type StepContext } from './incident-steps.js';
import { DEFAULT_INTERIM_TEXT, type Published } from './publish.js';

export interface IncidentDeps {
  db: pg.Pool;
  terms: SignalTerms;
  reminderDaysBefore?: number[];
  /** The region's calendar: the dates in the staff notices of the incident's case. */
  region?: RegionRules;
}

/** A refusal found after writing: thrown to roll the transaction back, answered as a value. */
export class Refusal extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

export const refuse = (status: 400 | 404 | 409, message: string): never => {
  throw new Refusal(status, message);
};

const STATUS_NAMES: Record<string, string> = { new: 'new', accepted: 'accepted', rejected: 'rejected', answered: 'answered' };

type Op<T> = (ctx: StepContext & { deps: IncidentDeps }) => Promise<T>;

/** Locks the incident's case (if any) and then the incident, checks the version, runs the action. */
export async function onIncident<T>(deps: IncidentDeps, id: string, actor: string, expectedVersion: number | undefined, now: Date,
  op: Op<T>): Promise<ModerationResult<T>>
{
  try {
    return await withTransaction(deps.db, async (sql) => {
      const seen = await loadIncident(sql, id);
      if (!seen) return refuse(404, 'incident not found');
      if (seen.caseId) await loadCase(sql, seen.caseId, true);
      const incident = (await loadIncident(sql, id, true))!;
      if (expectedVersion !== undefined && incident.version !== expectedVersion) {
        refuse(409, `the incident changed (version ${incident.version}, status "${incident.status}"); reload it`);
      }
      return { ok: true as const, value: await op({ sql, incident, actor, now, deps }) };
    });
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, status: err.status, error: err.message };
    throw err;
  }
}

const expect = (incident: IncidentRow, allowed: string[], what: string) => {
  if (!allowed.includes(incident.status)) refuse(409, `cannot ${what} an incident that is ${STATUS_NAMES[incident.status]}`);
};

/**
 * Routes the incident's case with the moderator's `accept` step: to the organization named, or by the routing table
 * and model. `strict`: a failure refuses the whole action; otherwise (automatic acceptance) the case waits in
 * moderation for a person.
 */
export async function routeCase(sql: Sql, caseId: string, actor: string, organizationId: string | undefined, now: Date, strict: boolean,
  region: RegionRules = DEFAULT_REGION_RULES)
{
  const c = (await loadCase(sql, caseId, true))!;
  if (c.status !== 'moderation') return refuse(409, `the case is already ${c.status}`);
  const r = await ACTION_HANDLERS.accept.run({ sql, c, actor: { id: actor, roles: [] }, now, to: RULES.accept.to, region,
    input: { action: 'accept', expectedVersion: c.version, ...(organizationId ? { organizationId } : {}) } });
  if (!r.ok && strict) refuse(r.status === 403 ? 409 : r.status, r.error);
  return r.ok ? r.case : c;
}

export interface AcceptBody {
  organizationId?: string;
  /** Route by the routing table and model when no organization is named. */
  autoRoute?: boolean;
}

export type CaseOutcome = { caseId: string; registrationNumber: string; caseStatus: string; organizationId: string | null };

export const acceptIncident = (deps: IncidentDeps, actor: string, id: string, v: number | undefined, body: AcceptBody, now: Date) =>
  onIncident<CaseOutcome>(deps, id, actor, v, now, async (ctx) => {
    expect(ctx.incident, ['new'], 'accept');
    const made = await createIncidentCase(ctx, deps.terms, reminderDaysOf(deps.region, deps.reminderDaysBefore));
    if (!body.organizationId && !body.autoRoute) return { ...made, caseStatus: 'moderation', organizationId: null };
    const c = await routeCase(ctx.sql, made.caseId, actor, body.organizationId, now, true, deps.region);
    return { ...made, caseStatus: c.status, organizationId: c.organizationId };
  });

export const routeIncident = (deps: IncidentDeps, actor: string, id: string, v: number | undefined, body: { organizationId?: string }, now: Date) =>
  onIncident<CaseOutcome>(deps, id, actor, v, now, async (ctx) => {
    if (!ctx.incident.caseId) refuse(409, 'accept the incident first');
    const c = await routeCase(ctx.sql, ctx.incident.caseId!, actor, body.organizationId, now, true, deps.region);
    return { caseId: c.id, registrationNumber: c.registrationNumber, caseStatus: c.status, organizationId: c.organizationId };
  });

/** A new incident is rejected on its own; an accepted one through its case (which must still be before work). */
export const rejectIncident = (deps: IncidentDeps, actor: string, id: string, v: number | undefined, reason: string, now: Date) =>
  onIncident<{ status: string }>(deps, id, actor, v, now, async (ctx) => {
    expect(ctx.incident, ['new', 'accepted'], 'reject');
    if (!ctx.incident.caseId) {
      await rejectSignals(ctx, reason, await signalsOf(ctx.sql, id), { caseId: null, organizationId: null });
      return { status: 'rejected' };
    }
    const c = (await loadCase(ctx.sql, ctx.incident.caseId, true))!;
    if (c.status !== 'moderation' && c.status !== 'routed') refuse(409, `the case is already ${c.status}: its organization works on it`);
    // The case's own rejection step; the case hook closes the incident in the same transaction.
    const r = await ACTION_HANDLERS.reject.run({ sql: ctx.sql, c, actor: { id: actor, roles: [] }, now, to: RULES.reject.to,
      region: deps.region ?? DEFAULT_REGION_RULES, input: { action: 'reject', expectedVersion: c.version, reason } });
    if (!r.ok) refuse(r.status === 403 ? 409 : r.status, r.error);
    return { status: 'rejected' };
  });

const caseLink = async (sql: Sql, incident: IncidentRow) => {
  if (!incident.caseId) return { caseId: null, organizationId: null };
  const c = await loadCase(sql, incident.caseId);
  return { caseId: incident.caseId, organizationId: c?.organizationId ?? null };
};

export type PublishOutcome = Pick<Published, 'queued' | 'already' | 'byHand'>;
const outcome = (p: Published): PublishOutcome => ({ queued: p.queued, already: p.already, byHand: p.byHand });

export const interimReply = (deps: IncidentDeps, actor: string, id: string, v: number | undefined, text: string | undefined, now: Date) =>
  onIncident<PublishOutcome>(deps, id, actor, v, now, async (ctx) => {
    expect(ctx.incident, ['new', 'accepted'], 'react to');
    return outcome(await publishInterim(ctx, text ?? DEFAULT_INTERIM_TEXT, await caseLink(ctx.sql, ctx.incident)));
  });

/** The team answers a new incident itself; an accepted one is answered through its case, on approval. */
export const answerIncident = (deps: IncidentDeps, actor: string, id: string, v: number | undefined, text: string, now: Date) =>
  onIncident<PublishOutcome>(deps, id, actor, v, now, async (ctx) => {
    if (ctx.incident.status === 'accepted') refuse(409, 'the incident is accepted: its answer is prepared in the case and published on approval');
    expect(ctx.incident, ['new'], 'answer');
    return outcome(await publishAnswer(ctx, text, { caseId: null, organizationId: null }));
  });

export const republishAnswer = (deps: IncidentDeps, actor: string, id: string, v: number | undefined, now: Date) =>
  onIncident<PublishOutcome>(deps, id, actor, v, now, async (ctx) => {
    expect(ctx.incident, ['answered'], 'publish the answer of');
    if (!ctx.incident.answerText) refuse(409, 'the incident has no published answer');
    return outcome(await publishToNewThreads(ctx, await caseLink(ctx.sql, ctx.incident)));
  });
