/**
 * The staff actions as a table of small handlers. Who may take an action from which status, and the status it
 * leads to, are RULES (rules.ts): the engine checks the first and hands each handler the second. A handler checks
 * its input, records the transition and writes what the step owes besides (an answer, staff notices, the routing
 * record). Handlers refuse before they write, so a refusal leaves nothing behind.
 */
import type { Attachment, CaseStatus } from '../lib/queues.js';
import type { RegionRules } from '../lib/region-config.js';
import { lintAnswer, type LintWarning } from './answer-lint.js';
import { ruDate } from './notify.js';
import { staffingRefusal } from './routing/decide.js';
import { chooseRoute, recordManualRoute, recordRedirect, recordRoute } from './routing/store.js';
import type { ActionName, Actor, UserRole } from './rules.js';
import { insertAnswer, latestAnswer, type Answer } from './store/answers.js';
import type { CaseRow } from './store/cases.js';
import { insertNotifications } from './store/notifications.js';
import { organizationStaffing } from './store/organizations.js';
import type { StatusLinks } from './status-link.js';
import type { Sql } from './store/sql.js';
import type { AlertTopic } from './staff/topics.js';
import { activeUsersWithRole, isMemberWithRole } from './store/users.js';
import { recordTransition, type RecordedChange, type Transition } from './transitions.js';

export interface ActionInput {
  action: ActionName;
  expectedVersion: number;
  comment?: string;
  reason?: string;
  organizationId?: string;
  executorId?: string;
  text?: string;
  attachments?: Attachment[];
}

export type ActionResult =
  | { ok: true; case: CaseRow; lint?: LintWarning[] }
  | { ok: false; status: 400 | 403 | 404 | 409; error: string };

export const fail = (status: 400 | 403 | 404 | 409, error: string): ActionResult => ({ ok: false, status, error });

export interface ActionContext {
  sql: Sql;
  /** The case, locked for this transaction. */
  c: CaseRow;
  actor: Actor;
  input: ActionInput;
  now: Date;
  /** The status the action leads to (RULES[action].to). */
  to: CaseStatus;
  /** The status page link the citizen's notices carry. */
  links?: StatusLinks;
  /** The region's calendar: dates in notices are printed in its zone. */
  region: RegionRules;
}

interface ActionHandler {
  /** Input fields the action cannot do without, in the order they are checked, with the error for a missing one. */
  requires?: [keyof ActionInput, string][];
  run(ctx: ActionContext): Promise<ActionResult>;
}

/** Records the action's own step: to RULES' target status, by the actor, with their comment unless `step` says otherwise. */
const record = (ctx: ActionContext, step: Omit<Transition, 'actor' | 'type' | 'to'> = {}): Promise<RecordedChange> =>
  recordTransition(ctx.sql, ctx.c, { actor: ctx.actor.id, type: ctx.input.action, comment: ctx.input.comment ?? null, to: ctx.to, links: ctx.links,
    timeZone: ctx.region.timeZone, ...step }, ctx.now);

const done = (r: RecordedChange, lint?: LintWarning[]): ActionResult => ({ ok: true, case: r.case, ...(lint ? { lint } : {}) });

/**
 * An in-app notice to staff, alerted by e-mail/Telegram under its topic (workflow/staff/alerts.ts); the kind carries
 * the audit row id, so a notice belongs to exactly one step.
 */
const notifyStaff = (ctx: ActionContext, r: RecordedChange, userIds: (string | null)[], kind: string, topic: AlertTopic, text: string) =>
  insertNotifications(ctx.sql, { userIds, caseId: ctx.c.id, kind: `${kind}-${r.eventRowId}`, topic, text, at: ctx.now });

const colleagues = (ctx: ActionContext, role: UserRole, organizationId = ctx.c.organizationId) => activeUsersWithRole(ctx.sql, organizationId, [role]);

const due = (ctx: ActionContext) => `Срок ответа — до ${ruDate(ctx.c.deadlineAt, ctx.region.timeZone)}.`;

/** The coordinators of the organization a case was just routed or redirected to: they assign it. */
async function notifyRouted(ctx: ActionContext, r: RecordedChange, lead: string): Promise<void> {
  const org = r.case.organizationName ? ` в организацию «${r.case.organizationName}»` : '';
  await notifyStaff(ctx, r, await colleagues(ctx, 'coordinator', r.case.organizationId), 'routed', 'routed',
    `${lead} № ${ctx.c.registrationNumber}${org}: ${ctx.c.category}. ${due(ctx)}`);
}

/** Refuses an organization that cannot answer (no coordinator and leader, two people able to answer), by its Russian reason; 400 when there is none. */
async function unroutable(ctx: ActionContext, organizationId: string): Promise<ActionResult | undefined> {
  const s = await organizationStaffing(ctx.sql, organizationId);
  if (!s) return fail(400, 'organizationId: no such organization');
  const refused = staffingRefusal(s);
  return refused ? fail(409, refused) : undefined;
}

/** Saves an answer (a draft, or the leader's edit), checked by the answer rules. */
const saveAnswer = (ctx: ActionContext, text: string, attachments: Attachment[]): Promise<Answer> =>
  insertAnswer(ctx.sql, { caseId: ctx.c.id, authorId: ctx.actor.id, text, attachments, at: ctx.now,
    lint: lintAnswer({ text, attachments, category: ctx.c.category, messageText: ctx.c.messageText }) });

/** Why the region's coordinating organization cannot take a case (routing/decide.ts `staffing`), as staff read it. */
const UNSTAFFED: Partial<Record<string, string>> = {
  'no-coordinator': 'в ней нет активного координатора',
  'no-leader': 'в ней нет активного руководителя',
  'one-person': 'координатор и руководитель в ней — один и тот же человек',
  'not-ready': 'она не подтвердила обучение и готовность к работе',
};

/** No organization named: the routing table, the model's suggestions and the readiness checks decide (workflow/routing/). */
async function acceptByRouting(ctx: ActionContext): Promise<ActionResult> {
  const routed = await chooseRoute(ctx.sql, ctx.c.id);
  const d = routed.decision;
  if (d.kind === 'none') {
    // Shown as it is in the inbox: staff read it in Russian.
    const why = routed.comment.replace(/^Направлено координатору региона: /, '').replace(/\.$/, '');
    const coordinator = d.coordinatorUnstaffed
      ? `координирующая организация региона «${d.coordinatorUnstaffed.name}» не может его принять (${
        UNSTAFFED[d.coordinatorUnstaffed.reason] ?? d.coordinatorUnstaffed.reason
      })`
      : 'координирующая организация не задана (страница «Маршрутизация»)';
    return fail(400, `Автоматически направить нельзя: ${why}, а ${coordinator}. Выберите организацию вручную.`);
  }
  const r = await record(ctx, { comment: ctx.input.comment ?? routed.comment, patch: { organization_id: d.organizationId }, notice: 'routed',
    props: { routing: d.reason, automatic: d.kind === 'auto' },
    data: { organizationId: d.organizationId,
      routing: { automatic: d.kind === 'auto', source: d.source, reason: d.reason, label: d.label, score: d.score, tableVersion: routed.version,
        threshold: routed.threshold } } });
  await recordRoute(ctx.sql, ctx.c.id, routed, ctx.now);
  await notifyRouted(ctx, r, 'Новое обращение');
  return done(r);
}

async function accept(ctx: ActionContext): Promise<ActionResult> {
  const organizationId = ctx.input.organizationId;
  if (organizationId === undefined) return acceptByRouting(ctx);
  const refused = await unroutable(ctx, organizationId);
  if (refused) return refused;
  const r = await record(ctx, { patch: { organization_id: organizationId }, notice: 'routed', data: { organizationId } });
  await recordManualRoute(ctx.sql, ctx.c.id, ctx.now);
  await notifyRouted(ctx, r, 'Новое обращение');
  return done(r);
}

async function redirect(ctx: ActionContext): Promise<ActionResult> {
  const { c, input } = ctx;
  const to = input.organizationId!;
  if (to === c.organizationId) return fail(400, 'organizationId: the case is already in this organization');
  const refused = await unroutable(ctx, to);
  if (refused) return refused;
  // The registration date and the deadline stay: a redirect must not give the organizations more time.
  const r = await record(ctx, { patch: { organization_id: to, executor_id: null }, notice: 'redirected', reason: input.reason,
    props: { toOrganizationId: to, ...(c.organizationId ? { fromOrganizationId: c.organizationId } : {}) },
    data: { reason: input.reason, fromOrganizationId: c.organizationId, toOrganizationId: to } });
  // Every redirect is a training example for the routing model, and may correct an automatic route.
  await recordRedirect(ctx.sql, { caseId: c.id, fromOrganizationId: c.organizationId, toOrganizationId: to, actor: ctx.actor.id, now: ctx.now });
  await notifyRouted(ctx, r, `Перенаправлено${c.organizationName ? ` из «${c.organizationName}»` : ''} (${input.reason}) обращение`);
  return done(r);
}

/** `assign` by the coordinator and `pass` by the executor: both hand the case to an executor of its organization. */
async function assign(ctx: ActionContext): Promise<ActionResult> {
  const { c, input } = ctx;
  const executorId = input.executorId!;
  if (input.action === 'pass' && executorId === ctx.actor.id) return fail(400, 'executorId: pass the case to someone else');
  if (!(await isMemberWithRole(ctx.sql, executorId, c.organizationId!, ['executor', 'coordinator']))) {
    return fail(400, "executorId: this user is not an executor of the case's organization");
  }
  const firstTime = c.status === 'routed' || c.status === 'repeat_review';
  const r = await record(ctx, { patch: { executor_id: executorId }, notice: firstTime ? 'assigned' : undefined,
    data: { executorId, previousExecutorId: c.executorId } });
  const how = input.action === 'pass' ? 'Вам передано' : 'Вам назначено';
  await notifyStaff(ctx, r, [executorId], 'assigned', 'assigned', `${how} обращение № ${c.registrationNumber}: ${c.category}. ${due(ctx)}`);
  return done(r);
}

async function returnToCoordinator(ctx: ActionContext): Promise<ActionResult> {
  const r = await record(ctx, { patch: { executor_id: null }, data: { previousExecutorId: ctx.c.executorId } });
  await notifyStaff(ctx, r, await colleagues(ctx, 'coordinator'), 'returned-to-coordinator', 'returned',
    `Исполнитель вернул обращение № ${ctx.c.registrationNumber}: ${ctx.input.comment}. ${due(ctx)}`);
  return done(r);
}

async function saveDraft(ctx: ActionContext): Promise<ActionResult> {
  const answer = await saveAnswer(ctx, ctx.input.text!, ctx.input.attachments ?? []);
  const r = await record(ctx, { data: { answerId: answer.id, warnings: answer.lint.map((w) => w.code) } });
  return done(r, answer.lint);
}

async function submit(ctx: ActionContext): Promise<ActionResult> {
  const answer = await latestAnswer(ctx.sql, ctx.c.id);
  if (!answer) return fail(409, 'there is no draft to submit: save a draft first');
  const r = await record(ctx, { notice: 'on_approval', data: { answerId: answer.id, warnings: answer.lint.map((w) => w.code) } });
  await notifyStaff(ctx, r, await colleagues(ctx, 'leader'), 'on-approval', 'approval',
    `Ответ на обращение № ${ctx.c.registrationNumber} ждёт утверждения${answer.lint.length ? ` (замечаний к ответу: ${answer.lint.length})` : ''}. ${
      due(ctx)
    }`);
  return done(r, answer.lint);
}

/** Approval sends the answer at once: approved, then the system's step to answered with the citizen's notice. */
async function approve(ctx: ActionContext): Promise<ActionResult> {
  const { input } = ctx;
  const stored = await latestAnswer(ctx.sql, ctx.c.id);
  if (!stored && !input.text) return fail(409, 'there is no answer to approve');
  // The leader's edit becomes the answer of record, checked like any draft.
  const answer = input.text ? await saveAnswer(ctx, input.text, input.attachments ?? stored?.attachments ?? []) : stored!;
  const approved = await record(ctx, { data: { answerId: answer.id, edited: !!input.text, warnings: answer.lint.map((w) => w.code) } });
  const sent = await recordTransition(ctx.sql, approved.case, { actor: 'system', type: 'send-answer', to: 'answered', patch: { answered_at: ctx.now },
    notice: 'answered', answer: { text: answer.text, attachments: answer.attachments }, links: ctx.links, timeZone: ctx.region.timeZone,
    data: { answerId: answer.id } }, ctx.now);
  return done(sent, answer.lint);
}

async function returnForRework(ctx: ActionContext): Promise<ActionResult> {
  const r = await record(ctx);
  await notifyStaff(ctx, r, [ctx.c.executorId], 'returned', 'returned',
    `Ответ на обращение № ${ctx.c.registrationNumber} возвращён на доработку: ${ctx.input.comment}. ${due(ctx)}`);
  return done(r);
}

export const ACTION_HANDLERS: Record<ActionName, ActionHandler> = {
  accept: { run: accept },
  reject: {
    requires: [['reason', 'reason is required: the citizen is told why']],
    run: async (ctx) =>
      done(
        await record(ctx, { patch: { rejection_reason: ctx.input.reason!, closed_at: ctx.now }, notice: 'rejected', reason: ctx.input.reason,
          data: { reason: ctx.input.reason } }),
      ),
  },
  redirect: { requires: [['organizationId', 'organizationId is required'], ['reason', 'reason is required for a redirect']], run: redirect },
  assign: { requires: [['executorId', 'executorId is required']], run: assign },
  pass: { requires: [['executorId', 'executorId is required']], run: assign },
  take: { run: async (ctx) => done(await record(ctx, { patch: { executor_id: ctx.actor.id }, notice: 'assigned', data: { executorId: ctx.actor.id } })) },
  start: { run: async (ctx) => done(await record(ctx)) },
  'return-to-coordinator': { requires: [['comment', 'comment is required: tell the coordinator why']], run: returnToCoordinator },
  'save-draft': { requires: [['text', 'text of the answer is required']], run: saveDraft },
  submit: { run: submit },
  approve: { run: approve },
  return: { requires: [['comment', 'comment is required: tell the executor what to rework']], run: returnForRework },
  close: { run: async (ctx) => done(await record(ctx, { patch: { closed_at: ctx.now }, notice: 'closed' })) },
  'stop-repeat-review': {
    requires: [['comment', 'comment is required: say why the repeat review stops']],
    run: async (ctx) => done(await record(ctx, { patch: { closed_at: ctx.now }, notice: 'closed', data: { stoppedRepeatReview: true } })),
  },
};

/** The first required input the action lacks, as its error. */
export function missingInput(input: ActionInput): string | undefined {
  const missing = ACTION_HANDLERS[input.action].requires?.find(([field]) => input[field] === undefined || input[field] === '');
  return missing?.[1];
}
