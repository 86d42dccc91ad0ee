/**
 * The workflow REST API under /api/v1: auth, the current user, organizations, users and roles, cases with their
 * actions, answer checks, staff notifications and routing. Each resource has its router module in routes/ whose
 * handlers parse, authorize and call the store (store/) or the engine (lifecycle.ts); the role matrix is
 * workflow/rules.ts; errors are JSON `{error}`. The builders' declarations are described in the process's one
 * OpenAPI document (lib/openapi.ts), which lib/http.ts serves.
 */
import type { RequestHandler, Router } from 'express';
import type pg from 'pg';
import { ApiBuilder } from '../lib/api-builder.js';
import { DEFAULT_REGION_RULES, type RegionRules } from '../lib/region-config.js';
import { requireAuth, type LoginLimit } from './auth.js';
import type { CaseDeliveries } from '../lib/deliveries.js';
import type { OutboxRelay } from './outbox.js';
import type { StatusLinks } from './status-link.js';
import { registerRoutingRoutes } from './routing/api.js';
import { registerActivityRoutes } from './routes/activity.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerAdminRoutes, type AdminDeps } from './routes/admin.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerCaseRoutes } from './routes/cases.js';
import type { RouteDeps } from './routes/common.js';
import { registerDeadlineRoutes } from './routes/deadlines.js';
import { registerMeRoutes } from './routes/me.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerOrganizationRoutes } from './routes/organizations.js';
import { registerStaffCardRoutes } from './routes/staff-card.js';
import { registerUserRoutes } from './routes/users.js';
import { createActivityRecorder } from './staff/activity.js';
import { DEFAULT_PUBLIC_URL } from './staff/mail.js';

export interface WorkflowApiDeps {
  db: pg.Pool;
  /** The process's one bearer/session check (main.ts builds it once); its own without. */
  requireAuth?: RequestHandler;
  tokenTtlHours: number;
  now?: () => Date;
  loginLimit?: LoginLimit;
  /** Nudged after each action so its events and notices leave at once rather than on the next poll. */
  relay?: Pick<OutboxRelay, 'nudge'>;
  reminderDaysBefore?: number[];
  /** The settings pages' needs (sealer, defaults); without them only the audit log is served. */
  admin?: AdminDeps;
  /** The status page link citizens' notices carry. */
  links?: StatusLinks;
  /** The region's time zone, in which notices tell dates. */
  timeZone?: string;
  /** The delivery trail shown on the case page (ingest's, bound by main.ts). */
  deliveries?: CaseDeliveries;
  /** The region's calendar (deadlines, dates) and deadline rules (recomputing a term). */
  region?: RegionRules;
  /** Where staff reach Otklik: the links of invitations (default http://localhost:3000). */
  publicUrl?: string;
  invitationTtlHours?: number;
  /** Least minutes between two alerts to one user (shown in the alert settings). */
  alertMinutes?: number;
}

export interface WorkflowApi {
  router: Router;
  /** The builders whose routes make up this API, for one OpenAPI document of the whole system. */
  builders: ApiBuilder[];
}

export function createWorkflowApi(deps: WorkflowApiDeps): WorkflowApi {
  const now = deps.now ?? (() => new Date());
  const region = deps.region ?? DEFAULT_REGION_RULES;
  const routeDeps: RouteDeps = {
    db: deps.db,
    now,
    tokenTtlHours: deps.tokenTtlHours,
    relay: deps.relay,
    reminderDaysBefore: deps.reminderDaysBefore,
    region,
    loginLimit: deps.loginLimit ?? { maxFailures: 5, windowMinutes: 15 },
    links: deps.links,
    deliveries: deps.deliveries,
    staff: { publicUrl: deps.publicUrl ?? DEFAULT_PUBLIC_URL, ttlHours: deps.invitationTtlHours ?? 72, timeZone: region.timeZone },
    activity: createActivityRecorder(deps.db, now),
  };
  const api = new ApiBuilder(deps.requireAuth ?? requireAuth(deps.db));
  registerAuthRoutes(api, routeDeps);
  registerMeRoutes(api, routeDeps);
  registerOrganizationRoutes(api, routeDeps);
  registerUserRoutes(api, routeDeps);
  registerCaseRoutes(api, routeDeps);
  registerNotificationRoutes(api, routeDeps);
  registerAlertRoutes(api, { ...routeDeps, alertMinutes: deps.alertMinutes ?? 5 });
  registerStaffCardRoutes(api, routeDeps);
  registerActivityRoutes(api, routeDeps);
  registerDeadlineRoutes(api, routeDeps);
  registerAdminRoutes(api, routeDeps, deps.admin);
  registerRoutingRoutes(api, { db: deps.db, now: routeDeps.now });
  return { router: api.router, builders: [api] };
}
