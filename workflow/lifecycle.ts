/**
 * The case lifecycle engine. One transition = one PostgreSQL transaction: the case row (guarded by its version),
 * an audit entry in case_events, and outbox rows for the analytics event and the citizen's notice. Every check
 * (role, state, version, input) answers a value the API maps to 400/403/404/409; only faults throw.
 */
import type pg from 'pg';
import { eventIdFor, uuidV5 } from '../lib/ids.js';
import type { AnalyticsEventInput, Attachment, CaseStatus, OutboundMessage, Source } from '../lib/queues.js';
import { lintAnswer, type LintWarning } from './answer-lint.js';
import { citizenNotices, replyTarget, ruDate } from './notify.js';
import { enqueue, type OutboxRow, type Sql } from './outbox.js';
import { DAY_MS } from './register-case.js';
import { planReminders, scheduleReminders } from './reminders.js';
import { canReadCase, permission, type ActionName, type Actor } from './rules.js';
import { chooseRoute, recordManualRoute, recordRedirect, recordRoute } from './routing/store.js';

export interface CaseRow {
  id: string;
  messageId: string;
  registrationNumber: string;
  status: CaseStatus;
  category: string;
  municipality: string | null;
  organizationId: string | null;
  organizationName: string | null;
  executorId: string | null;
  version: number;
  registeredAt: Date;
  deadlineAt: Date;
  deadlineDays: number;
  rating: number | null;
  reviewCycle: number;
  source: Source;
  externalId: string;
  provenance: Record<string, string>;
  messageText: string;
  contact: { phone: string | null; email: string | null; channelUserId: string | null };
}

const CASE_SELECT = `
  select c.id, c.message_id as "messageId", c.registration_number as "registrationNumber", c.status, c.category,
         c.municipality, c.organization_id as "organizationId", o.name as "organizationName", c.executor_id as "executorId",
         c.version, c.registered_at as "registeredAt", c.deadline_at as "deadlineAt", c.deadline_days as "deadlineDays",
         c.rating, c.review_cycle as "reviewCycle", m.source, m.external_id as "externalId", m.provenance,
         m.text as "messageText",
         json_build_object('phone', k.phone, 'email', k.email, 'channelUserId', k.channel_user_id) as contact
    from cases c join messages m on m.id = c.message_id
    left join organizations o on o.id = c.organization_id
    left join contacts k on k.message_id = c.message_id`;

export async function loadCase(sql: Sql, caseId: string, forUpdate = false): Promise<CaseRow | undefined> {
  const r = await sql.query<CaseRow>(`${CASE_SELECT} where c.id = $1 ${forUpdate ? 'for update of c' : ''}`, [caseId]);
  return r.rows[0];
}

export async function withTx<T>(db: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('begin');
    const out = await fn(client);
    await client.query('commit');
    return out;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Columns a transition may change, besides status and version. */
interface Patch {
  organization_id?: string | null;
  executor_id?: string | null;
  rejection_reason?: string | null;
  rating?: number | null;
  review_cycle?: number;
  deadline_at?: Date;
  closed_at?: Date;
  answered_at?: Date;
}

interface Transition {
  actor: string;
  type: string;
  to: CaseStatus;
  comment?: string | null;
  data?: Record<string, unknown>;
  patch?: Patch;
  /** The citizen notice to send, if this step is one the citizen is told about. */
  notice?: Parameters<typeof citizenNotices>[0];
  reason?: string;
  answerText?: string;
  props?: Record<string, string | number | boolean>;
  extraEvents?: (eventRowId: string, c: CaseRow) => AnalyticsEventInput[];
}

/** Applies one step to a locked case row inside the caller's transaction; returns the case as it is now. */
export async function recordTransition(sql: Sql, c: CaseRow, t: Transition, now: Date): Promise<{ case: CaseRow; eventRowId: string }> {
  const patch = t.patch ?? {};
  const cols = Object.keys(patch) as (keyof Patch)[];
  await sql.query(
    `update cases set status = $2, version = version + 1, updated_at = $3${cols.map((col, i) => `, ${col} = $${i + 4}`).join('')} where id = $1`,
    [c.id, t.to, now, ...cols.map((col) => patch[col])],
  );
  const ev = await sql.query<{ id: string }>(
    `insert into case_events (case_id, at, actor, type, from_status, to_status, comment, data)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [c.id, now, t.actor, t.type, c.status, t.to, t.comment ?? null, JSON.stringify(t.data ?? {})],
  );
  const eventRowId = ev.rows[0]!.id;
  let orgName = c.organizationName;
  if ('organization_id' in patch && patch.organization_id !== c.organizationId) {
    orgName = patch.organization_id
      ? (await sql.query<{ name: string }>('select name from organizations where id = $1', [patch.organization_id])).rows[0]?.name ?? null
      : null;
  }
  const next: CaseRow = {
    ...c,
    status: t.to,
    version: c.version + 1,
    organizationId: 'organization_id' in patch ? patch.organization_id ?? null : c.organizationId,
    organizationName: orgName,
    executorId: 'executor_id' in patch ? patch.executor_id ?? null : c.executorId,
    rating: 'rating' in patch ? patch.rating ?? null : c.rating,
    reviewCycle: patch.review_cycle ?? c.reviewCycle,
    deadlineAt: patch.deadline_at ?? c.deadlineAt,
  };

  const base = {
    at: now.toISOString(), caseId: c.id, messageId: c.messageId, source: c.source, category: c.category,
    ...(c.municipality ? { municipality: c.municipality } : {}),
    ...(next.organizationId ? { organizationId: next.organizationId } : {}),
    deadlineAt: next.deadlineAt.toISOString(),
  };
  const events: AnalyticsEventInput[] = [
    { ...base, eventId: eventIdFor(c.id, 'transition', eventRowId), type: 'case.transition', fromStatus: c.status, status: t.to,
      actor: t.actor, props: { action: t.type, ...(t.reason ? { reason: t.reason } : {}), ...(t.props ?? {}) } },
    ...(t.extraEvents?.(eventRowId, next) ?? []),
  ];
  const rows: OutboxRow[] = [{ queue: 'events', name: 'case-transition', jobId: `case-event-${c.id}-${eventRowId}`, payload: { events } }];
  if (t.notice) rows.push(...citizenOutbound(next, t.notice, eventRowId, { reason: t.reason, answerText: t.answerText }));
  await enqueue(sql, rows);
  return { case: next, eventRowId };
}

export function citizenOutbound(c: CaseRow, notice: Parameters<typeof citizenNotices>[0], eventRowId: string,
  extra: { reason?: string; answerText?: string } = {}): OutboxRow[] {
  const target = replyTarget({ source: c.source, externalId: c.externalId, provenance: c.provenance ?? {}, contact: c.contact ?? {} });
  if (!target) return [];
  return citizenNotices(notice, {
    registrationNumber: c.registrationNumber, deadlineAt: c.deadlineAt, organizationName: c.organizationName,
    reason: extra.reason, answerText: extra.answerText,
  }).map((n) => {
    const outboundId = uuidV5(`outbound:${c.id}:${eventRowId}:${n.kind}`);
    const payload: OutboundMessage = { outboundId, caseId: c.id, messageId: c.messageId, source: c.source, kind: n.kind, text: n.text, target };
    return { queue: 'outbound', name: n.kind, jobId: `outbound-${outboundId}`, payload };
  });
}

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

const fail = (status: 400 | 403 | 404 | 409, error: string): ActionResult => ({ ok: false, status, error });

export interface EngineDeps {
  db: pg.Pool;
  now: () => Date;
  reminderDaysBefore?: number[];
}

async function isMemberWithRole(sql: Sql, userId: string, organizationId: string, roles: string[]): Promise<boolean> {
  const r = await sql.query(
    `select 1 from user_roles ur join users u on u.id = ur.user_id
      where ur.user_id = $1 and ur.organization_id = $2 and ur.role = any($3::text[]) and u.active`,
    [userId, organizationId, roles],
  );
  return (r.rowCount ?? 0) > 0;
}

async function organizationExists(sql: Sql, id: string): Promise<boolean> {
  return ((await sql.query('select 1 from organizations where id = $1', [id])).rowCount ?? 0) > 0;
}

/** In-app notices to staff; the kind carries the audit row id, so a notice belongs to exactly one step. */
async function notifyStaff(sql: Sql, userIds: (string | null)[], caseId: string, kind: string, text: string, now: Date): Promise<void> {
  const ids = [...new Set(userIds.filter((x): x is string => !!x))];
  if (ids.length === 0) return;
  await sql.query(
    `insert into notifications (user_id, case_id, kind, text, created_at) select u, $2, $3, $4, $5 from unnest($1::uuid[]) u on conflict do nothing`,
    [ids, caseId, kind, text, now],
  );
}

async function orgUsersWithRole(sql: Sql, organizationId: string | null, role: string): Promise<string[]> {
  if (!organizationId) return [];
  const r = await sql.query<{ user_id: string }>(
    'select ur.user_id from user_roles ur join users u on u.id = ur.user_id where ur.organization_id = $1 and ur.role = $2 and u.active',
    [organizationId, role],
  );
  return r.rows.map((x) => x.user_id);
}

export async function latestAnswer(sql: Sql, caseId: string) {
  const r = await sql.query<{ id: string; text: string; attachments: Attachment[]; lint: LintWarning[]; author_id: string; created_at: Date }>(
    'select id, text, attachments, lint, author_id, created_at from case_answers where case_id = $1 order by id desc limit 1',
    [caseId],
  );
  return r.rows[0];
}

/** Runs one staff action on a case: checks visibility, role, version, state and input, then records the step(s). */
export async function performAction(deps: EngineDeps, actor: Actor, caseId: string, input: ActionInput): Promise<ActionResult> {
  return withTx(deps.db, async (sql) => {
    const now = deps.now();
    const c = await loadCase(sql, caseId, true);
    if (!c) return fail(404, 'case not found');
    if (!canReadCase(actor, c)) return fail(403, 'you have no access to this case');
    const perm = permission(actor, input.action, c);
    if (!perm.allowed && perm.code === 403) return fail(403, perm.reason);
    if (c.version !== input.expectedVersion) {
      return fail(409, `the case was changed by someone else meanwhile (now version ${c.version}, status "${c.status}"; you sent version ${input.expectedVersion}): reload it and try again`);
    }
    if (!perm.allowed) return fail(409, perm.reason);
    const need = (field: keyof ActionInput, what: string) => (input[field] === undefined || input[field] === '' ? what : undefined);
    const actorId = actor.id;
    const common = { actor: actorId, type: input.action, comment: input.comment ?? null };
    const lintFor = (text: string, attachments: Attachment[]) => lintAnswer({ text, attachments, category: c.category, messageText: c.messageText });

    switch (input.action) {
      case 'accept': {
        if (input.organizationId === undefined) {
          // No organization named: the routing table, the model's suggestions and the readiness checks decide (workflow/routing/).
          const routed = await chooseRoute(sql, c.id);
          const d = routed.decision;
          if (d.kind === 'none') return fail(400, `organizationId is required to route the case: no automatic route (${d.reason}) and no coordinating organization is configured`);
          const r = await recordTransition(sql, c, { ...common, comment: input.comment ?? routed.comment, to: 'routed', patch: { organization_id: d.organizationId },
            notice: 'routed', props: { routing: d.reason, automatic: d.kind === 'auto' },
            data: { organizationId: d.organizationId, routing: { automatic: d.kind === 'auto', source: d.source, reason: d.reason, label: d.label,
              score: d.score, tableVersion: routed.version, threshold: routed.threshold } } }, now);
          await recordRoute(sql, c.id, routed, now);
          return { ok: true, case: r.case };
        }
        if (!(await organizationExists(sql, input.organizationId))) return fail(400, 'organizationId: no such organization');
        const r = await recordTransition(sql, c, { ...common, to: 'routed', patch: { organization_id: input.organizationId }, notice: 'routed',
          data: { organizationId: input.organizationId } }, now);
        await recordManualRoute(sql, c.id, now);
        return { ok: true, case: r.case };
      }
      case 'reject': {
        const missing = need('reason', 'reason is required: the citizen is told why');
        if (missing) return fail(400, missing);
        const r = await recordTransition(sql, c, { ...common, to: 'rejected', patch: { rejection_reason: input.reason!, closed_at: now },
          notice: 'rejected', reason: input.reason, data: { reason: input.reason } }, now);
        return { ok: true, case: r.case };
      }
      case 'redirect': {
        const missing = need('organizationId', 'organizationId is required') ?? need('reason', 'reason is required for a redirect');
        if (missing) return fail(400, missing);
        if (input.organizationId === c.organizationId) return fail(400, 'organizationId: the case is already in this organization');
        if (!(await organizationExists(sql, input.organizationId!))) return fail(400, 'organizationId: no such organization');
        // The registration date and the deadline stay: a redirect must not give the organizations more time.
        const r = await recordTransition(sql, c, { ...common, to: 'routed', patch: { organization_id: input.organizationId!, executor_id: null },
          notice: 'redirected', reason: input.reason, props: { toOrganizationId: input.organizationId!, ...(c.organizationId ? { fromOrganizationId: c.organizationId } : {}) },
          data: { reason: input.reason, fromOrganizationId: c.organizationId, toOrganizationId: input.organizationId } }, now);
        // Every redirect is a training example for the routing model, and may correct an automatic route.
        await recordRedirect(sql, { caseId: c.id, fromOrganizationId: c.organizationId, toOrganizationId: input.organizationId!, actor: actorId, now });
        return { ok: true, case: r.case };
      }
      case 'assign':
      case 'pass': {
        const missing = need('executorId', 'executorId is required');
        if (missing) return fail(400, missing);
        if (input.action === 'pass' && input.executorId === actorId) return fail(400, 'executorId: pass the case to someone else');
        if (!(await isMemberWithRole(sql, input.executorId!, c.organizationId!, ['executor', 'coordinator']))) {
          return fail(400, 'executorId: this user is not an executor of the case\'s organization');
        }
        const firstTime = c.status === 'routed' || c.status === 'repeat_review';
        const r = await recordTransition(sql, c, { ...common, to: 'assigned', patch: { executor_id: input.executorId! },
          notice: firstTime ? 'assigned' : undefined, data: { executorId: input.executorId, previousExecutorId: c.executorId } }, now);
        await notifyStaff(sql, [input.executorId!], c.id, `assigned-${r.eventRowId}`,
          `Вам назначено обращение № ${c.registrationNumber}, срок ответа — ${ruDate(c.deadlineAt)}.`, now);
        return { ok: true, case: r.case };
      }
      case 'take': {
        const r = await recordTransition(sql, c, { ...common, to: 'in_progress', patch: { executor_id: actorId }, notice: 'assigned',
          data: { executorId: actorId } }, now);
        return { ok: true, case: r.case };
      }
      case 'start': {
        const r = await recordTransition(sql, c, { ...common, to: 'in_progress' }, now);
        return { ok: true, case: r.case };
      }
      case 'return-to-coordinator': {
        const missing = need('comment', 'comment is required: tell the coordinator why');
        if (missing) return fail(400, missing);
        const r = await recordTransition(sql, c, { ...common, to: 'routed', patch: { executor_id: null }, data: { previousExecutorId: c.executorId } }, now);
        await notifyStaff(sql, await orgUsersWithRole(sql, c.organizationId, 'coordinator'), c.id, `returned-to-coordinator-${r.eventRowId}`,
          `Исполнитель вернул обращение № ${c.registrationNumber}: ${input.comment}`, now);
        return { ok: true, case: r.case };
      }
      case 'save-draft': {
        const missing = need('text', 'text of the answer is required');
        if (missing) return fail(400, missing);
        const attachments = input.attachments ?? [];
        const lint = lintFor(input.text!, attachments);
        const a = await sql.query<{ id: string }>(
          'insert into case_answers (case_id, author_id, text, attachments, lint, created_at) values ($1, $2, $3, $4, $5, $6) returning id',
          [c.id, actorId, input.text, JSON.stringify(attachments), JSON.stringify(lint), now],
        );
        const r = await recordTransition(sql, c, { ...common, to: 'draft', data: { answerId: a.rows[0]!.id, warnings: lint.map((w) => w.code) } }, now);
        return { ok: true, case: r.case, lint };
      }
      case 'submit': {
        const answer = await latestAnswer(sql, c.id);
        if (!answer) return fail(409, 'there is no draft to submit: save a draft first');
        const r = await recordTransition(sql, c, { ...common, to: 'on_approval', notice: 'on_approval',
          data: { answerId: answer.id, warnings: answer.lint.map((w) => w.code) } }, now);
        await notifyStaff(sql, await orgUsersWithRole(sql, c.organizationId, 'leader'), c.id, `on-approval-${r.eventRowId}`,
          `Ответ на обращение № ${c.registrationNumber} ждёт утверждения${answer.lint.length ? ` (замечаний к ответу: ${answer.lint.length})` : ''}.`, now);
        return { ok: true, case: r.case, lint: answer.lint };
      }
      case 'approve': {
        let answer = await latestAnswer(sql, c.id);
        if (!answer && !input.text) return fail(409, 'there is no answer to approve');
        let lint = answer?.lint ?? [];
        if (input.text) {
          // The leader's edit becomes the answer of record, checked like any draft.
          const attachments = input.attachments ?? answer?.attachments ?? [];
          lint = lintFor(input.text, attachments);
          const a = await sql.query<{ id: string }>(
            'insert into case_answers (case_id, author_id, text, attachments, lint, created_at) values ($1, $2, $3, $4, $5, $6) returning id',
            [c.id, actorId, input.text, JSON.stringify(attachments), JSON.stringify(lint), now],
          );
          answer = { id: a.rows[0]!.id, text: input.text, attachments, lint, author_id: actorId, created_at: now };
        }
        const approved = await recordTransition(sql, c, { ...common, to: 'approved', data: { answerId: answer!.id, edited: !!input.text,
          warnings: lint.map((w) => w.code) } }, now);
        const sent = await recordTransition(sql, approved.case, { actor: 'system', type: 'send-answer', to: 'answered', patch: { answered_at: now },
          notice: 'answered', answerText: answer!.text, data: { answerId: answer!.id } }, now);
        return { ok: true, case: sent.case, lint };
      }
      case 'return': {
        const missing = need('comment', 'comment is required: tell the executor what to rework');
        if (missing) return fail(400, missing);
        const r = await recordTransition(sql, c, { ...common, to: 'returned' }, now);
        await notifyStaff(sql, [c.executorId], c.id, `returned-${r.eventRowId}`,
          `Ответ на обращение № ${c.registrationNumber} возвращён на доработку: ${input.comment}`, now);
        return { ok: true, case: r.case };
      }
      case 'close': {
        const r = await recordTransition(sql, c, { ...common, to: 'closed', patch: { closed_at: now }, notice: 'closed' }, now);
        return { ok: true, case: r.case };
      }
      case 'stop-repeat-review': {
        const missing = need('comment', 'comment is required: say why the repeat review stops');
        if (missing) return fail(400, missing);
        const r = await recordTransition(sql, c, { ...common, to: 'closed', patch: { closed_at: now }, notice: 'closed', data: { stoppedRepeatReview: true } }, now);
        return { ok: true, case: r.case };
      }
    }
  });
}

export type CitizenOutcome = { applied: true; status: CaseStatus } | { applied: false; reason: string };

/** Ratings of 4–5 close the case at once; a low one waits for the citizen to ask for a repeat review (or a close). */
export const LOW_RATING_MAX = 3;

/** Applies a citizen's rating or repeat-review request once per actionId. */
export async function applyCitizenAction(deps: EngineDeps, a: { actionId: string; kind: 'rating' | 'repeat_review_request'; caseId: string;
  rating?: number; comment?: string }): Promise<CitizenOutcome> {
  return withTx(deps.db, async (sql) => {
    const now = deps.now();
    const c = await loadCase(sql, a.caseId, true);
    const record = async (outcome: string) =>
      (await sql.query('insert into citizen_actions (action_id, case_id, kind, outcome, applied_at) values ($1, $2, $3, $4, $5) on conflict do nothing',
        [a.actionId, c ? a.caseId : null, a.kind, outcome, now])).rowCount === 1;
    if (!c) {
      await record('no-case');
      return { applied: false, reason: 'no-case' };
    }
    const seen = await sql.query('select 1 from citizen_actions where action_id = $1', [a.actionId]);
    if (seen.rowCount) return { applied: false, reason: 'duplicate' };

    if (a.kind === 'rating') {
      if (!a.rating) {
        await record('no-rating');
        return { applied: false, reason: 'no-rating' };
      }
      if (c.status !== 'answered') {
        await record(`ignored-in-${c.status}`);
        return { applied: false, reason: `status-${c.status}` };
      }
      const rated = await recordTransition(sql, c, {
        actor: 'citizen', type: 'rate', to: 'rated', patch: { rating: a.rating }, comment: a.comment ?? null, data: { rating: a.rating },
        props: { rating: a.rating },
        extraEvents: (rowId, next) => [{ eventId: eventIdFor(c.id, 'rated', rowId), type: 'case.rated', at: now.toISOString(), caseId: c.id,
          messageId: c.messageId, source: c.source, category: c.category, rating: a.rating,
          ...(next.organizationId ? { organizationId: next.organizationId } : {}), ...(c.municipality ? { municipality: c.municipality } : {}), props: {} }],
      }, now);
      let status: CaseStatus = 'rated';
      if (a.rating > LOW_RATING_MAX) {
        await recordTransition(sql, rated.case, { actor: 'system', type: 'close-rated', to: 'closed', patch: { closed_at: now }, notice: 'closed' }, now);
        status = 'closed';
      }
      await record(status);
      return { applied: true, status };
    }

    if (c.status !== 'rated' || (c.rating ?? 5) > LOW_RATING_MAX) {
      await record(`ignored-in-${c.status}`);
      return { applied: false, reason: c.status !== 'rated' ? `status-${c.status}` : 'rating-not-low' };
    }
    // A repeat review is a new round with a fresh term; the audit log keeps the original registration date.
    const cycle = c.reviewCycle + 1;
    const deadlineAt = new Date(now.getTime() + c.deadlineDays * DAY_MS);
    const r = await recordTransition(sql, c, { actor: 'citizen', type: 'repeat-review-request', to: 'repeat_review', comment: a.comment ?? null,
      patch: { review_cycle: cycle, deadline_at: deadlineAt }, notice: 'repeat_review', data: { cycle, deadlineAt: deadlineAt.toISOString() } }, now);
    await scheduleReminders(sql, c.id, planReminders(deadlineAt, cycle, deps.reminderDaysBefore), now);
    const staff = await sql.query<{ user_id: string }>(
      `select distinct user_id from user_roles where organization_id = $1 and role in ('coordinator', 'curator')
       union select $2::uuid where $2::uuid is not null`,
      [r.case.organizationId, r.case.executorId],
    );
    await sql.query(
      `insert into notifications (user_id, case_id, kind, text, created_at) select u, $2, $3, $4, $5 from unnest($1::uuid[]) u on conflict do nothing`,
      [staff.rows.map((x) => x.user_id), c.id, `repeat-review-${cycle}`,
        `Заявитель запросил повторное рассмотрение обращения № ${c.registrationNumber} (оценка ${c.rating}).`, now],
    );
    await record('repeat_review');
    return { applied: true, status: 'repeat_review' };
  });
}
