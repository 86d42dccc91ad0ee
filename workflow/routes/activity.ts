/**
 * Who is not looking: when the staff of each organization last opened the desk or a case, and the organizations where
 * nobody has looked for longer than `idleHours` while cases wait. The region sees every organization (administrators,
 * moderators: the monitoring team watches the region); curators and leaders see theirs and those below them.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { pgIntParam } from '../../lib/request-schemas.js';
import { hasRegionRole, orgsWithRole } from '../rules.js';
import { IDLE_HOURS, WAITING_STATUSES } from '../staff/escalation.js';
import { organizationsActivity } from '../store/staff-activity.js';
import { bool, page, withSubtree, type RouteDeps } from './common.js';
import { timestamp } from './responses.js';

const orgActivity = z.object({
  organizationId: z.uuid(),
  name: z.string(),
  waiting: z.number().int().describe('Open cases the organization must act on'),
  nearestDeadlineAt: timestamp.nullable(),
  lastLookAt: timestamp.nullable().describe('Last time any of its staff opened the desk or a case'),
  idle: z.boolean().describe('Cases wait and nobody has looked for longer than idleHours'),
  members: z.array(
    z.object({ userId: z.uuid(), displayName: z.string(), roles: z.array(z.string()), lastSeenAt: timestamp.nullable(), lastDeskAt: timestamp.nullable(),
      lastCaseAt: timestamp.nullable() }),
  ),
});

/** Organizations listed at most; a region has hundreds. */
const MAX_ORGANIZATIONS = 5000;

export function registerActivityRoutes(api: ApiBuilder, { db, now }: RouteDeps): void {
  api.route({ method: 'get', path: '/api/v1/activity/organizations', tag: 'activity',
    summary:
      "Staff activity by organization: waiting cases, the nearest deadline, the last look and each member's; nobody-looked-longest first. `idle=true`: only those where cases wait and nobody looked for more than idleHours (default 24).",
    roles: 'region administrators and moderators: all; curators and leaders: their organizations and those below', query: z.object({
      idle: bool.optional(),
      idleHours: pgIntParam.min(1).max(24 * 30).default(IDLE_HOURS),
      ...page,
    }),
    response: z.object({ items: z.array(orgActivity), total: z.number().int(), idleHours: z.number().int(), limit: z.number().int(),
      offset: z.number().int() }), errors: [] }, async ({ user, query }) => {
    const region = hasRegionRole(user, 'administrator') || hasRegionRole(user, 'moderator');
    const scoped = await withSubtree(db, user);
    const own = [...orgsWithRole(user, ['curator', 'leader']), ...(scoped.subtreeOrganizationIds ?? [])];
    if (!region && own.length === 0) throw new HttpError(403, "only the region's staff, curators and leaders see staff activity");
    const at = now();
    const idleBefore = at.getTime() - query.idleHours * 3_600_000;
    const rows = await organizationsActivity(db, { organizationIds: region ? null : own, waitingStatuses: WAITING_STATUSES, limit: MAX_ORGANIZATIONS,
      offset: 0 });
    const all = rows.map((o) => ({ ...o, idle: o.waiting > 0 && (!o.lastLookAt || new Date(o.lastLookAt).getTime() < idleBefore) }));
    const chosen = query.idle ? all.filter((o) => o.idle) : all;
    return {
      body: { items: chosen.slice(query.offset, query.offset + query.limit), total: chosen.length, idleHours: query.idleHours, limit: query.limit,
        offset: query.offset },
    };
  });
}
