/** A moderator's fast-track mark on a case: the term is recomputed, and the case log says who did it and why. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { pgInt } from '../../lib/request-schemas.js';
import { hasRegionRole } from '../rules.js';
import { setFastTrack } from '../term-change.js';
import { idParams, type RouteDeps } from './common.js';
import { timestamp } from './responses.js';

export function registerDeadlineRoutes(api: ApiBuilder, { db, now, region, relay, reminderDaysBefore }: RouteDeps): void {
  api.route({ method: 'post', path: '/api/v1/cases/:id/fast-track', tag: 'case actions',
    summary:
      "Mark the case fast-track by hand (its term becomes the region's fast-track term, never longer than the one it has), or take a manual mark back (the region's rules decide again). Audited with the reason.",
    roles: 'moderator', params: idParams, body: z.object({ expectedVersion: pgInt.min(0), fastTrack: z.boolean(), reason: z.string().trim().min(3).max(2000) }),
    response: z.object({ id: z.uuid(), version: z.number().int(), fastTrack: z.boolean(), deadlineDays: z.number().int(), deadlineRule: z.string(),
      deadlineAt: timestamp }), errors: { 404: 'No such case', 409: 'Stale expectedVersion, a closed case, or a fast-track set by the rules (not by hand)' } },
    async ({ user, params, body }) => {
      if (!hasRegionRole(user, 'moderator')) throw new HttpError(403, 'only a moderator marks a case fast-track');
      const r = await setFastTrack(db, { actor: user.id, caseId: params.id, ...body, now: now(), region, reminderDaysBefore });
      if (!r.ok) throw new HttpError(r.status, r.error);
      relay?.nudge();
      const c = r.case;
      return {
        body: { id: c.id, version: c.version, fastTrack: c.fastTrack, deadlineDays: c.deadlineDays, deadlineRule: c.deadlineRule,
          deadlineAt: c.deadlineAt.toISOString() },
      };
    });
}
