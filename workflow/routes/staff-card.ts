/**
 * Staff cards beyond create/edit: one user's card, the history of staff and role changes (a user's, an
 * organization's), and invitation links — re-issued by an administrator, used on the public page `/invite/<token>`.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { normalizePhone } from '../../lib/hash.js';
import type { AuthUser } from '../auth.js';
import { hasOrgRole, orgsWithRole } from '../rules.js';
import { acceptInvitation, invitationState, issueInvitation } from '../staff/invitations.js';
import { listHistory } from '../store/staff-history.js';
import { getUser, type UserView } from '../store/users.js';
import { withTransaction } from '../../lib/transaction.js';
import { idParams, isRegionAdmin, page, type RouteDeps } from './common.js';
import { invitation, okAnswer, pageOf, serialId, timestamp, user as userView } from './responses.js';

const phone = z.string().trim().max(50).transform(normalizePhone)
  .refine((p) => /^\+\d{10,15}$/.test(p), 'phone: a mobile number with its country code, e.g. +7 913 123-45-67');

/** ПОС's form asks for ФИО, position, mobile phone and e-mail of each responsible person; null clears a field. */
export const staffCardFields = {
  position: z.string().trim().min(1).max(300).nullable().optional().describe('Должность'),
  phone: phone.nullable().optional().describe('Mobile phone (personal data); stored as +7…'),
  email: z.email().max(300).transform((e) => e.toLowerCase()).nullable().optional()
    .describe('Work e-mail (personal data): invitations, alerts and digests go there'),
};

const historyEntry = z.object({
  id: serialId,
  userId: z.uuid(),
  userName: z.string(),
  organizationId: z.uuid().nullable(),
  organizationName: z.string().nullable(),
  actor: z.string(),
  actorName: z.string().nullable(),
  at: timestamp,
  change: z.enum(['created', 'roles', 'profile', 'activated', 'deactivated', 'reactivated', 'invited', 'password-reset']),
  data: z.record(z.string(), z.unknown()).describe('roles: {from, to}; profile: {fields}; created: {roles}'),
});

const STAFF_READERS = ['administrator', 'curator', 'coordinator', 'leader'] as const;

/** Region administrators, the user themself, and those who manage or coordinate an organization the user is in. */
const mayRead = (u: AuthUser, target: UserView) =>
  isRegionAdmin(u) || u.id === target.id
  || target.roles.some((r) => r.organizationId && STAFF_READERS.some((role) => hasOrgRole(u, role, r.organizationId)));

/** Region administrators, and administrators of every organization the user is in. */
const mayAdminister = (u: AuthUser, target: UserView) =>
  isRegionAdmin(u)
  || (target.roles.length > 0 && target.roles.every((r) => r.organizationId && hasOrgRole(u, 'administrator', r.organizationId)));

const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'token: the code of the invitation link') });
const INVITATION_GONE: Record<string, string> = {
  expired: 'the invitation link has expired: ask your administrator for a new one',
  used: 'the invitation link has been used already: log in with your password',
  unknown: 'no such invitation link',
};

export function registerStaffCardRoutes(api: ApiBuilder, deps: RouteDeps): void {
  const { db, now } = deps;
  const readable = async (user: AuthUser, id: string) => {
    const target = await getUser(db, id);
    if (!target) throw new HttpError(404, 'user not found');
    if (!mayRead(user, target)) throw new HttpError(403, 'you cannot see this user');
    return target;
  };

  api.route({ method: 'get', path: '/api/v1/users/:id', tag: 'users', summary: 'One staff card with roles and whether the account is activated.',
    roles: "region administrator; the user; administrators, curators, coordinators and leaders of the user's organizations", params: idParams,
    response: userView, errors: { 404: 'No such user' } }, async ({ user, params }) => ({ body: await readable(user, params.id) }));

  api.route({ method: 'get', path: '/api/v1/users/:id/history', tag: 'users',
    summary: "The history of the user's roles and card: who changed what, when (newest first).", roles: 'as for the card', params: idParams,
    query: z.object(page), response: pageOf(historyEntry), errors: { 404: 'No such user' } }, async ({ user, params, query }) => {
    await readable(user, params.id);
    return { body: { items: await listHistory(db, { userId: params.id }, query), limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'get', path: '/api/v1/organizations/:id/staff-history', tag: 'users',
    summary: 'Every staff and role change in the organization, newest first.',
    roles: 'region administrator; administrators, curators and leaders of the organization', params: idParams, query: z.object(page),
    response: pageOf(historyEntry), errors: [] }, async ({ user, params, query }) => {
    if (!isRegionAdmin(user) && !orgsWithRole(user, ['administrator', 'curator', 'leader']).includes(params.id)) {
      throw new HttpError(403, "you cannot see this organization's staff history");
    }
    return { body: { items: await listHistory(db, { organizationId: params.id }, query), limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/users/:id/invitation', tag: 'users',
    summary: 'A new invitation link for a user who has not activated the account (the old link stops working); e-mailed when the card has an address.',
    roles: "region administrator; administrator of the user's organizations", params: idParams, status: 201, response: invitation,
    errors: { 404: 'No such user', 409: 'The account is already activated' } }, async ({ user, params }) => {
    const target = await readable(user, params.id);
    if (!mayAdminister(user, target)) throw new HttpError(403, 'only an administrator invites this user');
    if (target.activated) throw new HttpError(409, 'the account is already activated: set a new password instead');
    const issued = await withTransaction(db, (sql) => issueInvitation(sql, { userId: target.id, actor: user.id, now: now() }, deps.staff));
    deps.relay?.nudge();
    return { body: issued };
  });

  registerInvitationRoutes(api, deps);
}

/** The public side: what the page `/invite/<token>` shows, and setting the password. */
function registerInvitationRoutes(api: ApiBuilder, { db, now }: RouteDeps): void {
  api.route({ method: 'get', path: '/api/v1/invitations/:token', tag: 'users', auth: false,
    summary: 'What an invitation link is for: the login and name of the account, until when it works.', params: tokenParams,
    response: z.object({ login: z.string(), displayName: z.string(), expiresAt: timestamp }), errors: { 404: 'No such link, or it expired or was used' } },
    async ({ params }) => {
      const s = await invitationState(db, params.token, now());
      if (s.state !== 'valid') throw new HttpError(404, INVITATION_GONE[s.state]!);
      return { body: { login: s.login, displayName: s.displayName, expiresAt: s.expiresAt.toISOString() } };
    });

  api.route({ method: 'post', path: '/api/v1/invitations/:token/accept', tag: 'users', auth: false,
    summary: 'Activate the account: set its password (at least 10 characters). The link works once.', params: tokenParams,
    body: z.object({ password: z.string().min(10).max(500) }), response: okAnswer.extend({ login: z.string() }),
    errors: { 404: 'No such link, or it expired or was used' } }, async ({ params, body }) => {
    const r = await acceptInvitation(db, params.token, body.password, now());
    if (!r.ok) throw new HttpError(404, INVITATION_GONE[r.state]!);
    return { body: { ok: true, login: r.login } };
  });
}
