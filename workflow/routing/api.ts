/**
 * The routing REST API under /api/v1/routing: the versioned routing table (region administrators edit it), the dry
 * run of a table over last month's cases, the automatic-routing settings, organization codes, and the statistics of
 * automatic routes with the threshold history. Registered on the workflow's ApiBuilder so it shares its auth,
 * validation and OpenAPI document.
 */
import type pg from 'pg';
import { z } from 'zod';
import { isoDateOrDateTime, pgIntParam } from '../../lib/request-schemas.js';
import type { AuthUser } from '../auth.js';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { DAY_MS } from '../../lib/time.js';
import { hasRegionRole } from '../rules.js';
import { routingRulesSchema } from './decide.js';
import { dryRun, routingStats } from './review.js';
import { dryRunResult } from '../../lib/routing-answers.js';
import { organizationCode, routingSettings, routingStatsAnswer, tableVersion as tableVersionAnswer, versionSummary } from './responses.js';
import { currentTable, listVersions, loadSettings, publishTable, setOrganizationCode, tableVersion, updateSettings } from './store.js';

export interface RoutingApiDeps {
  db: pg.Pool;
  now: () => Date;
}

const isoDate = isoDateOrDateTime;

const tableBody = z.object({ rules: routingRulesSchema, comment: z.string().trim().max(2000).default('') });
const dryRunBody = z.object({
  /** Omitted: the current table (useful to compare with `changed`). */
  rules: routingRulesSchema.optional(),
  /** Omitted: the 30 days before now («last month»). */
  from: isoDate.optional(),
  to: isoDate.optional(),
});
const settingsPatch = z.object({
  threshold: z.number().min(0).max(1).optional(),
  coordinatingOrganization: z.string().trim().min(1).max(500).nullable().optional(),
  autoRouting: z.boolean().optional(),
  targetRedirectRate: z.number().min(0).max(1).optional(),
  thresholdFloor: z.number().min(0).max(1).optional(),
  thresholdCeiling: z.number().min(0).max(1).optional(),
  adjustMinSample: z.number().int().min(1).max(100_000).optional(),
  comment: z.string().trim().max(2000).optional(),
}).strict();
const codeBody = z.object({ code: z.string().trim().min(1).max(200).regex(/^[\p{L}\p{N}._-]+$/u, 'code: letters, digits, . _ -').nullable() });

const isAdmin = (u: AuthUser) => hasRegionRole(u, 'administrator');
const isStaffReader = (u: AuthUser) => isAdmin(u) || hasRegionRole(u, 'moderator') || u.roles.some((r) => r.role === 'coordinator');

const requireAdmin = (u: AuthUser) => {
  if (!isAdmin(u)) throw new HttpError(403, 'only a region administrator changes routing');
};
const requireReader = (u: AuthUser) => {
  if (!isStaffReader(u)) throw new HttpError(403, 'routing is visible to administrators, moderators and coordinators');
};

export function registerRoutingRoutes(api: ApiBuilder, deps: RoutingApiDeps): void {
  registerTableRoutes(api, deps);
  registerSettingsRoutes(api, deps);
}

/** The routing table: its versions, publishing a new one, and the dry run of a table over past cases. */
function registerTableRoutes(api: ApiBuilder, { db, now }: RoutingApiDeps): void {
  api.route({ method: 'get', path: '/api/v1/routing/table', tag: 'routing', summary: 'The current routing table version and its rules.',
    roles: 'administrators, moderators, coordinators', response: tableVersionAnswer, errors: [] }, async ({ user }) => {
    requireReader(user);
    const t = await currentTable(db);
    return { body: t ?? { version: 0, rules: [], comment: '', createdBy: null, createdAt: null } };
  });

  api.route({ method: 'get', path: '/api/v1/routing/table/versions', tag: 'routing', summary: 'Every version of the routing table, newest first.',
    roles: 'administrators, moderators, coordinators', response: z.object({ items: z.array(versionSummary) }), errors: [] }, async ({ user }) => {
    requireReader(user);
    return { body: { items: await listVersions(db) } };
  });

  api.route({ method: 'get', path: '/api/v1/routing/table/versions/:version', tag: 'routing', summary: 'One version of the routing table.',
    roles: 'administrators, moderators, coordinators', params: z.object({ version: pgIntParam.min(1) }), response: tableVersionAnswer,
    errors: { 404: 'No such version' } }, async ({ user, params }) => {
    requireReader(user);
    const t = await tableVersion(db, params.version);
    if (!t) throw new HttpError(404, 'no such routing table version');
    return { body: t };
  });

  api.route({ method: 'put', path: '/api/v1/routing/table', tag: 'routing',
    summary:
      'Publish a new version of the routing table: rules (category | reason) × (municipality | district | any) → organization (code or name). Applies to cases routed from now on.',
    roles: 'region administrator', body: tableBody, status: 201, response: tableVersionAnswer, errors: [] }, async ({ user, body }) => {
    requireAdmin(user);
    return { body: await publishTable(db, body.rules, body.comment, user.id, now()) };
  });

  api.route({ method: 'post', path: '/api/v1/routing/dry-run', tag: 'routing',
    summary:
      "How the cases registered in a period (default: the last 30 days) would have been routed under the given rules (default: the current table), with today's settings and organizations.",
    roles: 'region administrator, moderators', body: dryRunBody, response: dryRunResult, errors: [] }, async ({ user, body }) => {
    if (!isAdmin(user) && !hasRegionRole(user, 'moderator')) throw new HttpError(403, 'only administrators and moderators run routing dry runs');
    const to = body.to ? new Date(body.to) : now();
    const from = body.from ? new Date(body.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (!(from < to)) throw new HttpError(400, 'from must be before to');
    const rules = body.rules ?? (await currentTable(db))?.rules ?? [];
    return { body: await dryRun(db, rules, from, to) };
  });
}

/** The automatic-routing settings, organization codes and the statistics of automatic routes. */
function registerSettingsRoutes(api: ApiBuilder, { db, now }: RoutingApiDeps): void {
  api.route({ method: 'get', path: '/api/v1/routing/settings', tag: 'routing',
    summary: 'Automatic-routing settings: threshold, coordinating organization, redirect-rate target.', roles: 'administrators, moderators, coordinators',
    response: routingSettings, errors: [] }, async ({ user }) => {
    requireReader(user);
    return { body: await loadSettings(db) };
  });

  api.route({ method: 'patch', path: '/api/v1/routing/settings', tag: 'routing',
    summary: 'Change automatic-routing settings; a threshold change is recorded in the threshold history.', roles: 'region administrator', body: settingsPatch,
    response: routingSettings, errors: [] }, async ({ user, body }) => {
    requireAdmin(user);
    const floor = body.thresholdFloor, ceiling = body.thresholdCeiling;
    if (floor !== undefined && ceiling !== undefined && floor > ceiling) throw new HttpError(400, 'thresholdFloor must not exceed thresholdCeiling');
    const settings = await updateSettings(db, {
      coordinatingOrganization: body.coordinatingOrganization,
      autoRouting: body.autoRouting,
      targetRedirectRate: body.targetRedirectRate,
      thresholdFloor: floor,
      thresholdCeiling: ceiling,
      adjustMinSample: body.adjustMinSample,
      threshold: body.threshold,
    }, { actor: user.id, reason: body.comment ? `установлен администратором: ${body.comment}` : 'установлен администратором', now: now() });
    return { body: settings };
  });

  api.route({ method: 'put', path: '/api/v1/organizations/:id/code', tag: 'routing',
    summary: 'Set (or clear with null) the stable code by which routing rules and model labels name this organization.', roles: 'region administrator',
    params: z.object({ id: z.uuid() }), body: codeBody, response: organizationCode,
    errors: { 404: 'No such organization', 409: 'Another organization has this code' } }, async ({ user, params, body }) => {
    requireAdmin(user);
    const r = await setOrganizationCode(db, params.id, body.code, { actor: user.id, entity: 'organization', entityId: params.id, action: 'code',
      changes: { to: body.code } });
    if (r === 'not-found') throw new HttpError(404, 'organization not found');
    if (r === 'taken') throw new HttpError(409, 'code: another organization already has this code');
    return { body: r };
  });

  api.route({ method: 'get', path: '/api/v1/routing/stats', tag: 'routing',
    summary:
      'Automatic routes, how many were later redirected and the rate (all time and since the last threshold change), cases sent to the coordinator, the threshold and its history.',
    roles: 'administrators, moderators, coordinators', response: routingStatsAnswer, errors: [] }, async ({ user }) => {
    requireReader(user);
    return { body: await routingStats(db) };
  });
}
