/**
 * The case lifecycle engine: staff actions (actions.ts) and citizens' ratings and repeat-review requests. One step =
 * one PostgreSQL transaction (transitions.ts). Every check (role, state, version, input) answers a value the API
 * maps to 400/403/404/409; only faults throw.
 */
import type pg from 'pg';
import { eventIdFor } from '../lib/ids.js';
import type { CaseStatus } from '../lib/queues.js';
import { DEFAULT_REGION_RULES, type RegionRules } from '../lib/region-config.js';
import { termEnd } from '../lib/region-time.js';
import { withTransaction } from '../lib/transaction.js';
import { ACTION_HANDLERS, fail, missingInput, type ActionInput, type ActionResult } from './actions.js';
import { planReminders, reminderCalendar, reminderDaysOf, scheduleReminders } from './reminders.js';
import { canReadCase, permission, RULES, type Actor } from './rules.js';
import { loadCase, type CaseRow } from './store/cases.js';
import { citizenActionSeen, recordCitizenAction } from './store/citizen-actions.js';
import { ruDate } from './notify.js';
import { insertNotifications } from './store/notifications.js';
import type { StatusLinks } from './status-link.js';
import type { Sql } from './store/sql.js';
import { holdersOfRoles } from './store/users.js';
import { recordTransition } from './transitions.js';

export type { ActionInput, ActionResult } from './actions.js';

export interface EngineDeps {
  db: pg.Pool;
  now: () => Date;
  reminderDaysBefore?: number[];
  /** The status page link every citizen notice carries (main.ts builds it from the deployment's secret). */
  links?: StatusLinks;
  /** The region's calendar and deadline rules (lib/region-config.ts); the defaults without one. */
  region?: RegionRules;
}

/** Why the actor may not take this action on the case now, in the order the API reports it; undefined when they may. */
function refusal(actor: Actor, c: CaseRow, input: ActionInput): ActionResult | undefined {
  if (!canReadCase(actor, c)) return fail(403, 'you have no access to this case');
  const perm = permission(actor, input.action, c);
  if (!perm.allowed && perm.code === 403) return fail(403, perm.reason);
  if (c.version !== input.expectedVersion) {
    return fail(409,
      `the case was changed by someone else meanwhile (now version ${c.version}, status "${c.status}"; you sent version ${input.expectedVersion}): reload it and try again`);
  }
  if (!perm.allowed) return fail(409, perm.reason);
  const missing = missingInput(input);
  return missing ? fail(400, missing) : undefined;
}

/** Runs one staff action on a case: checks visibility, role, version, state and input, then records the step(s). */
export async function performAction(deps: EngineDeps, actor: Actor, caseId: string, input: ActionInput): Promise<ActionResult> {
  return withTransaction(deps.db, async (sql) => {
    const c = await loadCase(sql, caseId, true);
    if (!c) return fail(404, 'case not found');
    const refused = refusal(actor, c, input);
    if (refused) return refused;
    return ACTION_HANDLERS[input.action].run({ sql, c, actor, input, now: deps.now(), to: RULES[input.action].to, links: deps.links,
      region: deps.region ?? DEFAULT_REGION_RULES });
  });
}

export type CitizenActionOutcome = { applied: true; status: CaseStatus } | { applied: false; reason: string };

/** Ratings of 4–5 close the case at once; a low one waits for the citizen to ask for a repeat review (or a close). */
export const LOW_RATING_MAX = 3;

export interface CitizenActionInput {
  actionId: string;
  kind: 'rating' | 'repeat_review_request';
  caseId: string;
  rating?: number;
  comment?: string;
}

interface CitizenStep {
  sql: Sql;
  c: CaseRow;
  action: CitizenActionInput;
  now: Date;
  deps: EngineDeps;
}

/** A refusal that is recorded as the action's outcome, so a redelivery is recognised as a duplicate. */
const ignored = (outcome: string, reason: string) => ({ outcome, result: { applied: false, reason } as CitizenActionOutcome });

/**
 * One rating per round: the answer of the first review and the answer of each repeat review are rated apart (the
 * round is the case's review cycle), so a new answer after a repeat review opens a new round on every channel.
 */
async function rate({ sql, c, action, now, deps }: CitizenStep) {
  const rating = action.rating;
  if (!rating) return ignored('no-rating', 'no-rating');
  if (c.status !== 'answered') return ignored(`ignored-in-${c.status}`, `status-${c.status}`);
  const round = c.reviewCycle;
  const low = rating <= LOW_RATING_MAX;
  const rated = await recordTransition(sql, c, {
    actor: 'citizen',
    type: 'rate',
    to: 'rated',
    patch: { rating },
    comment: action.comment ?? null,
    data: { rating, round },
    props: { rating, round },
    // A low rating tells the citizen how to ask for a repeat review (where the channel has no button for it).
    ...(low ? { notice: 'rated_low' as const, rating, links: deps.links, timeZone: deps.region?.timeZone } : {}),
    extraEvents: (rowId,
      next) => [{ eventId: eventIdFor(c.id, 'rated', rowId), type: 'case.rated', at: now.toISOString(), caseId: c.id, messageId: c.messageId, source: c.source,
      category: c.category, rating, ...(next.organizationId ? { organizationId: next.organizationId } : {}),
      ...(c.municipality ? { municipality: c.municipality } : {}), props: { round } }],
  }, now);
  let status: CaseStatus = 'rated';
  if (!low) {
    await recordTransition(sql, rated.case, { actor: 'system', type: 'close-rated', to: 'closed', patch: { closed_at: now }, notice: 'closed',
      links: deps.links, timeZone: deps.region?.timeZone }, now);
    status = 'closed';
  }
  return { outcome: status, result: { applied: true, status } as CitizenActionOutcome };
}

/** A repeat review is a new round with a fresh term; the audit log keeps the original registration date. */
async function requestRepeatReview({ sql, c, action, now, deps }: CitizenStep) {
  if (c.status !== 'rated') return ignored(`ignored-in-${c.status}`, `status-${c.status}`);
  if ((c.rating ?? 5) > LOW_RATING_MAX) return ignored(`ignored-in-${c.status}`, 'rating-not-low');
  const cycle = c.reviewCycle + 1;
  const region = deps.region ?? DEFAULT_REGION_RULES;
  const deadlineAt = termEnd(now, c.deadlineDays, region.timeZone);
  const r = await recordTransition(sql, c, { actor: 'citizen', type: 'repeat-review-request', to: 'repeat_review', comment: action.comment ?? null,
    patch: { review_cycle: cycle, deadline_at: deadlineAt }, notice: 'repeat_review', links: deps.links, timeZone: region.timeZone,
    data: { cycle, deadlineAt: deadlineAt.toISOString() } }, now);
  await scheduleReminders(sql, c.id, planReminders(deadlineAt, cycle, reminderDaysOf(region, deps.reminderDaysBefore), reminderCalendar(region), now), now);
  await insertNotifications(sql, {
    userIds: [...await holdersOfRoles(sql, r.case.organizationId, ['coordinator', 'curator']), r.case.executorId],
    caseId: c.id,
    kind: `repeat-review-${cycle}`,
    topic: 'repeat_review',
    at: now,
    text: `Заявитель запросил повторное рассмотрение обращения № ${c.registrationNumber} (оценка ${c.rating}). Новый срок — до ${
      ruDate(deadlineAt, region.timeZone)
    }.`,
  });
  return { outcome: 'repeat_review', result: { applied: true, status: 'repeat_review' } as CitizenActionOutcome };
}

/**
 * Applies a citizen's rating or repeat-review request once per actionId. Refusals are recorded too (a redelivery is
 * then a duplicate), unless `onlyApplied`: the desk derives one action id per case and round, which a press that came
 * too early must not use up.
 */
export async function applyCitizenAction(deps: EngineDeps, action: CitizenActionInput, opts: { onlyApplied?: boolean } = {}): Promise<CitizenActionOutcome> {
  return withTransaction(deps.db, async (sql) => {
    const now = deps.now();
    const c = await loadCase(sql, action.caseId, true);
    const record = (caseId: string | null, outcome: string) =>
      recordCitizenAction(sql, { actionId: action.actionId, caseId, kind: action.kind, outcome, at: now });
    if (!c) {
      await record(null, 'no-case');
      return { applied: false, reason: 'no-case' };
    }
    if (await citizenActionSeen(sql, action.actionId)) return { applied: false, reason: 'duplicate' };
    const step = action.kind === 'rating' ? rate : requestRepeatReview;
    const { outcome, result } = await step({ sql, c, action, now, deps });
    if (result.applied || !opts.onlyApplied) await record(c.id, outcome);
    return result;
  });
}
