/**
 * The notification centre: the caller's own notices (new cases, assignments, approvals, returns, deadline reminders,
 * repeat reviews, escalations), read and unread, each leading to its case.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { pgIntParam } from '../../lib/request-schemas.js';
import { listNotifications, markAllNotificationsRead, markNotificationRead, markNotificationUnread, notificationCounts } from '../store/notifications.js';
import { bool, page, type RouteDeps } from './common.js';
import { notification, okAnswer } from './responses.js';

const notificationId = z.object({ id: pgIntParam.positive() });
const NOT_FOUND = { 404: 'No such notification of the caller' } as const;

export function registerNotificationRoutes(api: ApiBuilder, { db, now }: RouteDeps): void {
  api.route({ method: 'get', path: '/api/v1/notifications', tag: 'notifications',
    summary: "The caller's notifications, newest first, with how many there are and how many are unread; `unread=true` lists the unread only.",
    query: z.object({ unread: bool.optional(), ...page }),
    response: z.object({ items: z.array(notification), total: z.number().int(), unread: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
    errors: [] }, async ({ user, query }) => {
    const [rows, counts] = await Promise.all([
      listNotifications(db, user.id, { unreadOnly: query.unread ?? false, limit: query.limit, offset: query.offset }),
      notificationCounts(db, user.id),
    ]);
    const items = rows.map((n) => ({ ...n, url: n.caseId ? `/cases/${n.caseId}` : null }));
    return { body: { items, total: counts.total, unread: counts.unread, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/notifications/:id/read', tag: 'notifications', summary: 'Mark one notification read.', params: notificationId,
    response: okAnswer, errors: NOT_FOUND }, async ({ user, params }) => {
    if (!(await markNotificationRead(db, params.id, user.id, now()))) throw new HttpError(404, 'notification not found');
    return { body: { ok: true } };
  });

  api.route({ method: 'post', path: '/api/v1/notifications/:id/unread', tag: 'notifications', summary: 'Mark one notification unread again.',
    params: notificationId, response: okAnswer, errors: NOT_FOUND }, async ({ user, params }) => {
    if (!(await markNotificationUnread(db, params.id, user.id))) throw new HttpError(404, 'notification not found');
    return { body: { ok: true } };
  });

  api.route({ method: 'post', path: '/api/v1/notifications/read-all', tag: 'notifications', summary: 'Mark every unread notification of the caller read.',
    response: okAnswer.extend({ marked: z.number().int() }), errors: [] },
    async ({ user }) => ({ body: { ok: true, marked: await markAllNotificationsRead(db, user.id, now()) } }));
}
