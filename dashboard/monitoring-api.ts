/**
 * The monitoring inbox's JSON endpoints under /api/v1/dashboard/monitoring (moderators: the monitoring team, ЦУР):
 * incidents of signals with their aggregates, an incident's signals, threads and per-thread delivery status, the
 * team's actions on an incident as a whole, merging and splitting, spike alerts. The data operations are the
 * workflow's (lib/monitoring.ts `Monitoring`) and the delivery status ingest's (`DeliveryReads`), handed in by main.ts.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../lib/api-builder.js';
import { acceptIncidentBody, answerIncidentBody, caseOutcome, incidentDetail, incidentListItem, incidentQuery, interimBody, mergeIncidentsBody, publishOutcome,
  rejectIncidentBody, routeIncidentBody, signalCorrectionBody, spikeAlertSchema, versionBody, type DeliveryReads, type Monitoring } from '../lib/monitoring.js';
import type { ModerationResult } from '../lib/moderation.js';
import { pgIntParam } from '../lib/request-schemas.js';

const TAG = 'monitoring';
const BASE = '/api/v1/dashboard/monitoring';
const JSON_LIMIT = 64 * 1024;
const roles = 'region moderators and administrators';
const incidentParams = z.object({ id: z.string().regex(/^[\w-]{1,100}$/, 'an incident id') });

export function onlyModerators(req: Request): void {
  const moderator = req.user?.roles.some((r) => (r.role === 'moderator' || r.role === 'administrator') && r.organizationId === null);
  if (!moderator) throw new HttpError(403, 'only the monitoring team (moderators) works with the inbox');
}

const valueOf = <T>(out: ModerationResult<T>): { body: T } => {
  if (!out.ok) throw new HttpError(out.status, out.error);
  return { body: out.value };
};

// A 400 (implied by the body) also answers an organization that does not exist or a case the routing cannot place.
const ACTION_ERRORS = { 404: 'No such incident', 409: 'The incident changed since expectedVersion, or is not in a state that allows this' };

function registerReads(api: ApiBuilder, m: Monitoring, deliveries: DeliveryReads | undefined, now: () => Date): void {
  api.route({ method: 'get', path: `${BASE}/incidents`, tag: TAG, roles, guard: onlyModerators, errors: [], query: incidentQuery,
    summary:
      'Incidents of signals (posts and comments the monitoring found): size, channels, municipalities, first seen, growth, time left, suggested organizations.',
    response: z.object({ items: z.array(incidentListItem), total: z.number(), mark: z.string(), now: z.string() }) }, async ({ query }) => {
    const [list, mark] = await Promise.all([m.listIncidents(query), m.mark()]);
    return { body: { ...list, mark, now: now().toISOString() } };
  });
  api.route({ method: 'get', path: `${BASE}/facets`, tag: TAG, roles, guard: onlyModerators, errors: [],
    summary: 'Categories and municipalities of the signals seen so far, for the filters.',
    response: z.object({ categories: z.array(z.string()), municipalities: z.array(z.string()) }) }, async () => ({ body: await m.facets() }));
  api.route({ method: 'get', path: `${BASE}/mark`, tag: TAG, roles, guard: onlyModerators, errors: [],
    summary: 'A mark that changes whenever a signal arrives, an incident moves or an alert is raised.', response: z.object({ mark: z.string() }) },
    async () => ({ body: { mark: await m.mark() } }));
  api.route({ method: 'get', path: `${BASE}/incidents/:id`, tag: TAG, roles, guard: onlyModerators, params: incidentParams,
    summary: "One incident: its signals, its threads with each reply and the reply's delivery, and its log.", response: incidentDetail,
    errors: { 404: 'No such incident' } }, async ({ params }) => {
    const detail = await m.incident(params.id);
    if (!detail) throw new HttpError(404, 'incident not found');
    const ids = detail.threads.flatMap((t) => t.replies.map((r) => r.outboundId));
    const status = deliveries ? await deliveries.statusOf(ids) : {};
    const threads = detail.threads.map((t) => ({ ...t,
      replies: t.replies.map((r) => ({ ...r, ...(status[r.outboundId] ? { delivery: status[r.outboundId] } : {}) })) })
    );
    return { body: { ...detail, threads } };
  });
  api.route({ method: 'get', path: `${BASE}/alerts`, tag: TAG, roles, guard: onlyModerators, errors: [],
    summary: 'Spike alerts: an incident or a topic of a municipality growing far faster than usual, newest first.',
    query: z.object({ limit: pgIntParam.min(1).max(200).default(20), all: z.enum(['0', '1']).default('0') }),
    response: z.object({ items: z.array(spikeAlertSchema) }) },
    async ({ query }) => ({ body: { items: await m.alerts({ limit: query.limit, unacknowledgedOnly: query.all === '0' }) } }));
}

function registerActions(api: ApiBuilder, m: Monitoring, deliveries: DeliveryReads | undefined): void {
  const action = <S extends z.ZodObject, T>(name: string, summary: string, body: S, response: z.ZodType,
    run: (actor: string, id: string, body: z.infer<S>) => Promise<ModerationResult<T>>) =>
    api.route({ method: 'post', path: `${BASE}/incidents/:id/${name}`, tag: TAG, roles, guard: onlyModerators, params: incidentParams, body,
      bodyLimit: JSON_LIMIT, summary, response, errors: ACTION_ERRORS }, async ({ params, body: b, user }) =>
      valueOf(await run(user.id, params.id, b as z.infer<S>)));
  action('accept', 'Accept the incident: it becomes one case; routed at once to organizationId, or by the routing model with autoRoute.', acceptIncidentBody,
    caseOutcome, (a, id, b) => m.accept(a, id, b));
  action('route', "Route the accepted incident's case (to organizationId, or by the routing table and model without it).", routeIncidentBody, caseOutcome,
    (a, id, b) => m.route(a, id, b));
  action('reject', 'Reject the incident (with its case while that is before work): nothing is published, its reaction clock stops.', rejectIncidentBody,
    z.object({ status: z.string() }), (a, id, b) => m.reject(a, id, b));
  action('interim', 'Publish the interim «взято в работу» on every thread the region writes in; it counts as the first reaction.', interimBody, publishOutcome,
    (a, id, b) => m.interim(a, id, b));
  action('answer', 'Answer a new incident as the monitoring team: published on every thread the region writes in.', answerIncidentBody, publishOutcome,
    (a, id, b) => m.answer(a, id, b));
  action('republish', "Publish the incident's answer to the threads that joined after it.", versionBody, publishOutcome, (a, id, b) => m.republish(a, id, b));
  api.route({ method: 'post', path: `${BASE}/incidents/merge`, tag: TAG, roles, guard: onlyModerators, body: mergeIncidentsBody, bodyLimit: JSON_LIMIT,
    summary: 'Merge new incidents into the target: their signals join it (and its case, or its answer).',
    response: z.object({ incidentId: z.string(), moved: z.number() }),
    errors: { 404: 'Some incidents were not found', 409: 'A source is not new, or the target is rejected' } },
    async ({ body, user }) => valueOf(await m.merge(user.id, body)));
  api.route({ method: 'post', path: `${BASE}/signals/:messageId/split`, tag: TAG, roles, guard: onlyModerators, params: z.object({ messageId: z.uuid() }),
    summary: 'Take a signal out of its incident into an incident of its own.', response: z.object({ incidentId: z.string() }),
    errors: { 404: 'No such signal', 409: "The incident's case was made from this message" } },
    async ({ params, user }) => valueOf(await m.split(user.id, params.messageId)));
  api.route({ method: 'post', path: `${BASE}/signals/:messageId/correction`, tag: TAG, roles, guard: onlyModerators, bodyLimit: JSON_LIMIT,
    params: z.object({ messageId: z.uuid() }), body: signalCorrectionBody,
    summary: "Correct a signal's kind (complaint/question/other: its reaction term follows) or category; kept as training feedback.",
    response: z.object({ incidentId: z.string(), kind: z.string(), category: z.string(), reactionDueAt: z.string().nullable() }),
    errors: { 404: 'No such signal' } }, async ({ params, body, user }) => valueOf(await m.correct(user.id, params.messageId, body)));
  api.route({ method: 'post', path: `${BASE}/alerts/:id/acknowledge`, tag: TAG, roles, guard: onlyModerators, params: z.object({ id: pgIntParam.min(1) }),
    summary: 'Mark a spike alert as seen.', response: z.object({ acknowledged: z.boolean() }), errors: { 404: 'No such alert' } }, async ({ params, user }) => {
    if (!(await m.acknowledgeAlert(user.id, String(params.id)))) throw new HttpError(404, 'alert not found');
    return { body: { acknowledged: true } };
  });
  api.route({ method: 'post', path: `${BASE}/deliveries/:outboundId/retry`, tag: TAG, roles, guard: onlyModerators, params: z.object({ outboundId: z.uuid() }),
    summary: 'Send a failed reply again.', response: z.object({ retried: z.boolean() }),
    errors: { 409: 'The delivery has not failed', 503: 'Delivery status is not available in this process' } }, async ({ params }) => {
    if (!deliveries) throw new HttpError(503, 'delivery status is not available in this process');
    if (!(await deliveries.retry(params.outboundId))) throw new HttpError(409, 'the delivery has not failed');
    return { body: { retried: true } };
  });
}

export function registerMonitoringRoutes(api: ApiBuilder, deps: { monitoring: Monitoring; deliveries?: DeliveryReads; now?: () => Date }): void {
  registerReads(api, deps.monitoring, deps.deliveries, deps.now ?? (() => new Date()));
  registerActions(api, deps.monitoring, deps.deliveries);
}
