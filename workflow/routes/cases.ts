/** Cases: the list and the case page for each reader's scope, the lifecycle actions, and the answer check. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { pgInt } from '../../lib/request-schemas.js';
import { attachmentSchema, CASE_STATUSES, SOURCES, type CaseStatus } from '../../lib/queues.js';
import { calendarDaysBetween } from '../../lib/region-time.js';
import { lintAnswer } from '../answer-lint.js';
import type { AuthUser } from '../auth.js';
import { performAction } from '../lifecycle.js';
import { citizenAddress } from '../notify.js';
import { routingOfCase } from '../routing/store.js';
import { channelRefsFor } from '../message-listing.js';
import { caseScopeOf } from '../read-scopes.js';
import { ACTIONS, availableActions, canReadCase, handlesCase, OPEN_STATUSES, RULES, type ActionName, type CaseAccess } from '../rules.js';
import { answersOf } from '../store/answers.js';
import { caseDetail, listCases, loadCase, type CaseRow } from '../store/cases.js';
import { remindersOf } from '../store/reminders.js';
import { activeExecutorsOf } from '../store/users.js';
import { bool, idParams, isoDate, page, uuid, withSubtree, type RouteDeps } from './common.js';
import { actionResult, caseDetail as caseDetailAnswer, caseListItem, lintWarning } from './responses.js';

const statusList = z.string().max(500).optional().transform((v, ctx) => {
  if (!v) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((s) => !(CASE_STATUSES as readonly string[]).includes(s));
  if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ')}; known: ${CASE_STATUSES.join(', ')}` });
  return list as CaseStatus[];
});

const listCasesQuery = z.object({
  status: statusList,
  category: z.string().max(200).optional(),
  organizationId: uuid.optional(),
  source: z.enum(SOURCES).optional(),
  overdue: bool.optional(),
  assignedToMe: bool.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  municipality: z.string().trim().min(1).max(300).optional(),
  incidentId: z.string().trim().min(1).max(100).optional(),
  sort: z.enum(['newest', 'deadline']).default('newest').describe('newest: by registration; deadline: nearest deadline first (overdue on top)'),
  ...page,
});

const actionBody = z.object({
  expectedVersion: pgInt.min(0),
  comment: z.string().trim().min(1).max(5000).optional(),
  reason: z.string().trim().min(3).max(2000).optional(),
  organizationId: uuid.optional(),
  executorId: uuid.optional(),
  text: z.string().trim().min(1).max(10_000).optional(),
  attachments: z.array(attachmentSchema).max(20).optional(),
});
const lintBody = z.object({
  text: z.string().min(1).max(10_000),
  attachments: z.array(z.object({ kind: z.string() })).max(20).default([]),
  caseId: uuid.optional(),
});

/**
 * Calendar days of the region left to the deadline's date (0 on its last day, negative once past), and whether the
 * case is overdue now.
 */
const withDeadline = <T extends { deadlineAt: Date | string; status: string }>(row: T, at: Date, timeZone: string) => {
  const deadline = new Date(row.deadlineAt);
  return { ...row, daysLeft: calendarDaysBetween(at, deadline, timeZone),
    overdue: deadline.getTime() < at.getTime() && OPEN_STATUSES.includes(row.status as CaseStatus) };
};

/**
 * A network's external id and link can carry the person's VK peer id or Telegram chat id: like the contact, only
 * for those who work on the case (the messages listing withholds them alike, message-listing.ts).
 */
const withoutChannelIds = <T extends { source: string; externalId: string; link: string | null }>(user: AuthUser,
  c: Pick<CaseAccess, 'organizationId' | 'executorId'>, row: T) => ({ ...row, ...channelRefsFor(handlesCase(user, c), row) });

export function registerCaseRoutes(api: ApiBuilder, deps: RouteDeps): void {
  const { db, now } = deps;
  const tz = deps.region.timeZone;
  const readableCase = async (user: AuthUser, id: string): Promise<CaseRow> => {
    const c = await loadCase(db, id);
    if (!c) throw new HttpError(404, 'case not found');
    if (!canReadCase(await withSubtree(db, user), c)) throw new HttpError(403, 'you have no access to this case');
    return c;
  };

  api.route({ method: 'get', path: '/api/v1/cases', tag: 'cases',
    summary:
      'Cases the caller may see, newest first, with days left to the deadline. Filters: status (comma list), category, organizationId, source, overdue, assignedToMe, from/to (registration date), municipality, incidentId; sort=deadline puts the nearest deadlines (overdue) first.',
    roles: 'region administrator and moderators: all; coordinator, leader, curator: their organizations; executor: assigned to them', query: listCasesQuery,
    response: z.object({ items: z.array(caseListItem), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), errors: [] },
    async ({ user: caller, query }) => {
      const at = now();
      const { items, total } = await listCases(db, { ...query, ...caseScopeOf(await withSubtree(db, caller)), now: at, openStatuses: OPEN_STATUSES });
      const rows =
        items as unknown as (Pick<CaseAccess, 'organizationId' | 'executorId'> & { deadlineAt: Date; status: string; source: string; externalId: string;
          link: string | null })[];
      return { body: { items: rows.map((r) => withoutChannelIds(caller, r, withDeadline(r, at, tz))), total, limit: query.limit, offset: query.offset } };
    });

  api.route({ method: 'get', path: '/api/v1/cases/:id', tag: 'cases',
    summary: 'A case with its message, full history, answers with quality warnings, reminders and the actions the caller may take now.',
    roles: 'as for the list', params: idParams, response: caseDetailAnswer, errors: { 404: 'No such case' } }, async ({ user, params }) => {
    const c = await readableCase(user, params.id);
    await deps.activity.touch(user.id, 'case');
    const at = now();
    const [{ detail, history }, answers, reminders, deliveries] = await Promise.all([caseDetail(db, c.id), answersOf(db, c.id), remindersOf(db, c.id),
      deps.deliveries?.(c.id) ?? []]);
    const { contact, provenance, messageText: _t, incidentId: _i, ...rest } = c;
    const citizenChannel = citizenAddress({ source: c.source, externalId: c.externalId, provenance: provenance ?? {}, contact })?.channel ?? null;
    return {
      body: {
        ...withoutChannelIds(user, c, { ...withDeadline(rest, at, tz), ...detail, source: c.source, externalId: c.externalId,
          link: detail.link as string | null }),
        contact: handlesCase(user, c) ? contact : undefined,
        history,
        answers,
        reminders,
        // The trail names no recipient, but a server's refusal may quote the address: it is for those who work on the case.
        availableActions: availableActions(user, c),
        citizenChannel,
        deliveries: handlesCase(user, c) ? deliveries : [],
        ...(await routingOfCase(db, c.id)),
      },
    };
  });

  api.route({ method: 'post', path: '/api/v1/answer-lint', tag: 'cases', summary: 'Check an answer text against the ПОС answer rules without saving it.',
    roles: 'any signed-in user (with caseId: who may read the case)', body: lintBody, response: z.object({ warnings: z.array(lintWarning) }),
    errors: { 404: 'No such case (caseId)' } }, async ({ user, body }) => {
    const c = body.caseId ? await readableCase(user, body.caseId) : undefined;
    return { body: { warnings: lintAnswer({ text: body.text, attachments: body.attachments, category: c?.category, messageText: c?.messageText }) } };
  });

  // The «Назначить» / «Передать» lists: whoever may assign or pass this case sees the executors it may go to, an
  // executor included (the users listing is for those who manage staff, not for them).
  api.route({ method: 'get', path: '/api/v1/cases/:id/assignees', tag: 'cases',
    summary: "Active executors of the case's organization: who the case may be assigned or passed to.",
    roles: 'who may read the case and assign or pass it now', params: idParams,
    response: z.object({ items: z.array(z.object({ id: z.string(), displayName: z.string() })) }), errors: { 404: 'No such case' } },
    async ({ user, params }) => {
      const c = await readableCase(user, params.id);
      const actions = availableActions(user, c);
      if (!actions.includes('assign') && !actions.includes('pass')) throw new HttpError(403, 'you cannot assign or pass this case now');
      return { body: { items: await activeExecutorsOf(db, c.organizationId) } };
    });

  registerActionRoutes(api, deps);
}

/** One route per lifecycle action; the role matrix in the document comes from RULES. */
function registerActionRoutes(api: ApiBuilder, { db, now, relay, reminderDaysBefore, links, region }: RouteDeps): void {
  for (const action of ACTIONS) {
    api.route({ method: 'post', path: `/api/v1/cases/:id/${action}`, tag: 'case actions', summary: RULES[action].summary,
      roles: `from ${RULES[action].from.map((f) => f.statuses.join('|')).join('; ')} to ${RULES[action].to}`, params: idParams, body: actionBody,
      response: actionResult, errors: { 404: 'No such case', 409: 'Stale expectedVersion, or the case is not in a status this action starts from' } },
      async ({ user, params, body }) => {
        const r = await performAction({ db, now, reminderDaysBefore, links, region }, await withSubtree(db, user), params.id, { ...body,
          action: action as ActionName });
        if (!r.ok) throw new HttpError(r.status, r.error);
        relay?.nudge();
        const c = r.case;
        return {
          body: { id: c.id, status: c.status, version: c.version, organizationId: c.organizationId, executorId: c.executorId, deadlineAt: c.deadlineAt,
            ...(r.lint ? { warnings: r.lint } : {}) },
        };
      });
  }
}
