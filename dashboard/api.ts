/**
 * The dashboard's own JSON endpoints under /api/v1/dashboard: the monitoring inbox with its corrections and
 * incident merges (moderators), and server-side SVG export of the analytics panels the official may read.
 * Authentication is the workflow's middleware handed in by main.ts (bearer token or session cookie + CSRF header);
 * the inbox's data operations are the workflow's, handed in as functions (their contract is lib/moderation.ts).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ApiBuilder, HttpError } from '../lib/api-builder.js';
import type { FiguresScopeOf } from '../lib/read-scope.js';
import { PANELS, PANEL_TITLES, panelOption, SERVER_LABEL_WIDTH, type Municipality } from './charts.js';
import { correctionBody, inboxItem, inboxQuery, mergeBody, type Moderation, type ModerationResult } from '../lib/moderation.js';
import type { DeliveryReads, Monitoring } from '../lib/monitoring.js';
import { currentTimeZone } from './html.js';
import { onlyModerators, registerMonitoringRoutes } from './monitoring-api.js';
import { dashboardFilters, panelOrganizations, panelRows } from './panel-data.js';
import { renderSvg } from './svg.js';

export interface DashboardApiDeps {
  requireAuth: RequestHandler;
  /** The workflow's inbox operations, bound to its database by main.ts: the workflow alone writes cases. */
  moderation: Moderation;
  /** The workflow's monitoring inbox of signals and incidents; without it those routes are not served. */
  monitoring?: Monitoring;
  /** Ingest's delivery status of replies (per-thread status in the monitoring inbox). */
  deliveries?: DeliveryReads;
  /** Analytics for the SVG export; without them the export answers 503. */
  ch?: ClickHouseClient;
  /** Organization ids to names, for chart labels. */
  organizationNames: () => Promise<Record<string, string>>;
  /** The figures each official may read, decided by the workflow: exports show no more than the analytics API. */
  figuresScope: FiguresScopeOf;
  /** Poll ids to titles, for the polls panel. */
  pollTitles?: () => Promise<Record<string, string>>;
  municipalities: Municipality[];
  now?: () => Date;
}

const TAG = 'dashboard';
const JSON_LIMIT = 64 * 1024;
const idParams = z.object({ id: z.uuid() });
const panelName = z.enum(PANELS);

const valueOf = <T>(out: ModerationResult<T>): { body: T } => {
  if (!out.ok) throw new HttpError(out.status, out.error);
  return { body: out.value };
};

function registerInboxRoutes(api: ApiBuilder, deps: DashboardApiDeps): void {
  const m = deps.moderation;
  const now = deps.now ?? (() => new Date());
  const roles = 'region moderators and administrators';
  api.route({ method: 'get', path: '/api/v1/dashboard/inbox', tag: TAG, roles, guard: onlyModerators, errors: [],
    summary: "The monitoring inbox: incoming posts and calls, one row per case, with their incident's size.", query: inboxQuery,
    response: z.object({ items: z.array(inboxItem), total: z.number(), mark: z.string(), now: z.string() }) }, async ({ query }) => {
    const [list, mark] = await Promise.all([m.listInbox(query), m.inboxMark()]);
    return { body: { ...list, mark, now: now().toISOString() } };
  });
  api.route({ method: 'get', path: '/api/v1/dashboard/inbox/facets', tag: TAG, roles, guard: onlyModerators, errors: [],
    summary: 'Categories and municipalities seen so far, for the inbox filters.',
    response: z.object({ categories: z.array(z.string()), municipalities: z.array(z.string()) }) }, async () => ({ body: await m.inboxFacets() }));
  // Polled by the inbox every few seconds: one cheap row, so new posts show up without a reload.
  api.route({ method: 'get', path: '/api/v1/dashboard/inbox/mark', tag: TAG, roles, guard: onlyModerators, errors: [],
    summary: 'A mark that changes whenever a case is registered (the inbox reloads when it does).', response: z.object({ mark: z.string() }) },
    async () => ({ body: { mark: await m.inboxMark() } }));
  api.route({ method: 'post', path: '/api/v1/dashboard/cases/:id/correction', tag: TAG, roles, guard: onlyModerators,
    summary: 'Correct the category, or the complaint/question/other kind, of a case; kept as training feedback.', params: idParams, body: correctionBody,
    bodyLimit: JSON_LIMIT, response: z.object({ version: z.number() }), errors: { 404: 'No such case', 409: 'The case changed since expectedVersion' } },
    async ({ params, body, user }) => valueOf(await m.correctCase(user.id, params.id, body)));
  api.route({ method: 'post', path: '/api/v1/dashboard/incidents/merge', tag: TAG, roles, guard: onlyModerators,
    summary: "Put cases into the target case's incident.", body: mergeBody, bodyLimit: JSON_LIMIT,
    response: z.object({ incidentId: z.string(), moved: z.number() }),
    errors: { 404: 'Some cases were not found', 409: 'Cases of an incident of signals are regrouped as the incident' } },
    async ({ body, user }) => valueOf(await m.mergeIncident(user.id, body)));
  api.route({ method: 'post', path: '/api/v1/dashboard/cases/:id/split', tag: TAG, roles, guard: onlyModerators,
    summary: 'Take a case out of its incident: it becomes an incident of its own.', params: idParams, response: z.object({ incidentId: z.string() }),
    errors: { 404: 'No such case', 409: 'Cases of an incident of signals are regrouped as the incident' } },
    async ({ params, user }) => valueOf(await m.splitIncident(user.id, params.id)));
}

function registerExportRoute(api: ApiBuilder, deps: DashboardApiDeps): void {
  const now = deps.now ?? (() => new Date());
  api.route({ method: 'get', path: '/api/v1/dashboard/export/:panel.svg', tag: TAG,
    roles:
      "as for the panel's analytics table: officials of the region every panel (polls: poll managers); coordinators, leaders and curators their organizations' SLA, answer time and ratings",
    summary: 'One analytics panel as an SVG file, with the filters of the analytics page.',
    params: z.object({ panel: z.string().describe(`The panel: ${PANELS.join(', ')}`) }), query: dashboardFilters,
    produces: { 'image/svg+xml': 'The chart (900 × 460), as an attachment' },
    errors: { 403: 'Not among the figures the caller may read', 404: 'No such panel', 503: 'Analytics are not available in this process' }, // An unknown panel is a missing file, whatever the filters say.
    guard: (req) => {
      if (!panelName.safeParse(req.params.panel).success) throw new HttpError(404, `no such panel; known: ${PANELS.join(', ')}`);
    } }, async ({ params, query, user }) => {
    const panel = panelName.parse(params.panel);
    const organizations = panelOrganizations(await deps.figuresScope(user), panel, query);
    if (!deps.ch) throw new HttpError(503, 'analytics are not available in this process');
    const rows = await panelRows(deps.ch, panel, query, now(), organizations, currentTimeZone());
    const svg = renderSvg({
      ...panelOption(panel, rows, { orgNames: await deps.organizationNames(), municipalities: deps.municipalities, pollTitles: await deps.pollTitles?.(),
        labelWidth: SERVER_LABEL_WIDTH }),
      title: { text: PANEL_TITLES[panel], left: 'center', top: 0, textStyle: { fontSize: 14 } },
    }, { width: 900, height: 460 });
    return { headers: { 'content-disposition': `attachment; filename="${panel}.svg"` }, content: { type: 'image/svg+xml; charset=utf-8', data: svg } };
  });
}

export function createDashboardApi(deps: DashboardApiDeps): ApiBuilder {
  const api = new ApiBuilder(deps.requireAuth);
  registerInboxRoutes(api, deps);
  if (deps.monitoring) registerMonitoringRoutes(api, { monitoring: deps.monitoring, deliveries: deps.deliveries, now: deps.now });
  registerExportRoute(api, deps);
  return api;
}
