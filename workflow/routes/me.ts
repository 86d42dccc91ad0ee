/** The current user: roles, organizations with their readiness, unread notifications. */
import type { ApiBuilder } from '../../lib/api-builder.js';
import { unreadCount } from '../store/notifications.js';
import { organizationsWithReadiness } from '../store/organizations.js';
import type { RouteDeps } from './common.js';
import { me } from './responses.js';

export function registerMeRoutes(api: ApiBuilder, { db, activity }: RouteDeps): void {
  api.route({ method: 'get', path: '/api/v1/me', tag: 'auth',
    summary: 'The current user, roles, organizations with readiness flags, and whether the confirmation dialog must be shown.', response: me, errors: [] },
    async ({ user }) => {
      // The desk starts here: this is the look the region's panel of who is not looking counts.
      await activity.touch(user.id, 'desk');
      const orgIds = [...new Set(user.roles.map((r) => r.organizationId).filter((x): x is string => !!x))];
      const organizations = await organizationsWithReadiness(db, orgIds);
      const pending = organizations.filter((o) => !o.trainingConfirmed || !o.readyConfirmed);
      return {
        body: {
          user: { id: user.id, login: user.login, displayName: user.displayName },
          roles: user.roles,
          organizations,
          // «Требуется подтверждение»: shown until both flags of every organization of the user are set.
          confirmationRequired: pending.length > 0,
          confirmationOrganizations: pending.map((o) => o.id),
          unreadNotifications: await unreadCount(db, user.id),
        },
      };
    });
}
