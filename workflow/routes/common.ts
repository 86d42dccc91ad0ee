/** What the workflow's route modules share: their dependencies, common input schemas and the reader's scope. */
import type pg from 'pg';
import { z } from 'zod';
import type { RegionRules } from '../../lib/region-config.js';
import { isoDateOrDateTime, pgIntParam } from '../../lib/request-schemas.js';
import type { AuthUser, LoginLimit } from '../auth.js';
import type { OutboxRelay } from '../outbox.js';
import type { ActivityRecorder } from '../staff/activity.js';
import type { InvitationOptions } from '../staff/invitations.js';
import { hasRegionRole } from '../rules.js';
import type { CaseDeliveries } from '../../lib/deliveries.js';
import type { StatusLinks } from '../status-link.js';

export interface RouteDeps {
  db: pg.Pool;
  now: () => Date;
  tokenTtlHours: number;
  loginLimit: LoginLimit;
  /** Nudged after each action so its events and notices leave at once rather than on the next poll. */
  relay?: Pick<OutboxRelay, 'nudge'>;
  reminderDaysBefore?: number[];
  /** The status page link citizens' notices carry. */
  links?: StatusLinks;
  /** The region's time zone, in which notices tell dates. */
  timeZone?: string;
  /** The delivery trail of a case, asked of ingest (which owns deliveries) through main.ts; absent, the case page has none. */
  deliveries?: CaseDeliveries;
  /** The region's calendar and deadline rules. */
  region: RegionRules;
  /** Where invitation links lead and how long they work. */
  staff: InvitationOptions;
  /** Records when staff open the desk or a case (the region's panel of who is not looking). */
  activity: ActivityRecorder;
}

export const uuid = z.uuid();
export const idParams = z.object({ id: uuid });
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const isoDate = isoDateOrDateTime;
export const page = { limit: pgIntParam.min(1).max(500).default(50), offset: pgIntParam.min(0).default(0) };

export const isRegionAdmin = (u: AuthUser) => hasRegionRole(u, 'administrator');

export { withSubtree } from '../read-scopes.js';
