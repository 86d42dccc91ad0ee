/** The caller's own notifications: deadline reminders, assignments, returns, repeat reviews. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { pgIntParam } from '../../lib/request-schemas.js';
import { listNotifications, markNotificationRead } from '../store/notifications.js';
import { bool, page, type RouteDeps } from './common.js';
import { notification, okAnswer, pageOf } from './responses.js';

export function registerNotificationRoutes(api: ApiBuilder, { db, now }: RouteDeps): void {
  api.route({ method: 'get', path: '/api/v1/notifications', tag: 'notifications', summary: 'The caller\'s notifications (deadline reminders, repeat reviews), newest first.',
    query: z.object({ unread: bool.optional(), ...page }), response: pageOf(notification), errors: [] }, async ({ user, query }) => {
    const items = await listNotifications(db, user.id, { unreadOnly: query.unread ?? false, limit: query.limit, offset: query.offset });
    return { body: { items, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/notifications/:id/read', tag: 'notifications', summary: 'Mark one notification read.',
    params: z.object({ id: pgIntParam.positive() }), response: okAnswer, errors: { 404: 'No such notification of the caller' } },
  async ({ user, params }) => {
    if (!(await markNotificationRead(db, params.id, user.id, now()))) throw new HttpError(404, 'notification not found');
    return { body: { ok: true } };
  });
}
