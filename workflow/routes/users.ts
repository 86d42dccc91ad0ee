/**
 * Staff accounts and their roles: administrators manage users, curators the working roles of their organization. A
 * user is a staff card of ПОС's form (ФИО, position, mobile phone, e-mail); one made without a password activates
 * through an invitation link (workflow/staff/invitations.ts); every change of roles or card is in the staff history.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { hashPassword, type AuthUser } from '../auth.js';
import { hasOrgRole, orgsWithRole, REGION_ROLES, USER_ROLES, type UserRole } from '../rules.js';
import { issueInvitation, type Invitation } from '../staff/invitations.js';
import { organizationExists } from '../store/organizations.js';
import { createUser, getUser, listUsers, replaceRoles, rolesIn, updateUser, type RoleEntry, type UserView } from '../store/users.js';
import { idParams, isRegionAdmin, page, uuid, type RouteDeps } from './common.js';
import { invitation as invitationView, pageOf, user as userView } from './responses.js';
import { staffCardFields } from './staff-card.js';

const roleEntry = z.object({ role: z.enum(USER_ROLES), organizationId: uuid.nullable() });
const userBody = z.object({
  login: z.string().trim().min(3).max(100).regex(/^[A-Za-z0-9._@-]+$/, 'login: latin letters, digits, . _ @ -'),
  password: z.string().min(10).max(500).optional().describe('Without one, the user gets an invitation link to set it (sent to `email` when given)'),
  displayName: z.string().trim().min(1).max(300).describe('ФИО'),
  ...staffCardFields,
  roles: z.array(roleEntry).max(50).default([]),
});
const userPatch = z.object({ displayName: z.string().trim().min(1).max(300).optional(), active: z.boolean().optional(),
  password: z.string().min(10).max(500).optional(), ...staffCardFields });
const rolesBody = z.object({ organizationId: uuid.nullable(), roles: z.array(z.enum(USER_ROLES)).max(10) });

/** Why the user may not grant (or take away) these roles in the organization; undefined when they may. */
function roleScope(u: AuthUser, organizationId: string | null, roles: UserRole[]): string | undefined {
  if (isRegionAdmin(u)) return undefined;
  if (organizationId === null) return 'only a region administrator grants region-wide roles';
  if (hasOrgRole(u, 'administrator', organizationId)) return undefined;
  if (hasOrgRole(u, 'curator', organizationId)) {
    return roles.every((r) => ['coordinator', 'executor', 'leader'].includes(r))
      ? undefined :
      'a curator assigns coordinator, executor and leader roles only';
  }
  return 'only an administrator (or a curator) of the organization manages its roles';
}

function checkRoleEntries(entries: RoleEntry[]): void {
  for (const e of entries) {
    if (e.role === 'moderator' && e.organizationId !== null) throw new HttpError(400, 'roles: moderator is a region-wide role (organizationId null)');
    if (!REGION_ROLES.includes(e.role) && e.organizationId === null) throw new HttpError(400, `roles: ${e.role} needs an organizationId`);
  }
}

/** An organization administrator creates users with roles in their own organizations only. */
function checkCreate(user: AuthUser, roles: RoleEntry[]): void {
  checkRoleEntries(roles);
  if (isRegionAdmin(user)) return;
  if (!orgsWithRole(user, ['administrator']).length) throw new HttpError(403, 'only an administrator creates users');
  const byOrg = new Map<string | null, UserRole[]>();
  for (const e of roles) byOrg.set(e.organizationId, [...(byOrg.get(e.organizationId) ?? []), e.role]);
  for (const [org, orgRoles] of byOrg) {
    if (org === null || !hasOrgRole(user, 'administrator', org)) throw new HttpError(403, roleScope(user, org, orgRoles) ?? 'forbidden');
  }
}

async function checkRoleChange(deps: RouteDeps, user: AuthUser, userId: string, body: z.infer<typeof rolesBody>): Promise<void> {
  checkRoleEntries(body.roles.map((role) => ({ role, organizationId: body.organizationId })));
  const why = roleScope(user, body.organizationId, body.roles);
  if (why) throw new HttpError(403, why);
  if (!isRegionAdmin(user) && body.organizationId) {
    // A curator may not take away roles they could not have granted.
    const removed = (await rolesIn(deps.db, userId, body.organizationId)).filter((r) => !body.roles.includes(r));
    const whyRemove = roleScope(user, body.organizationId, removed);
    if (whyRemove) throw new HttpError(403, whyRemove);
  }
  if (body.organizationId && !(await organizationExists(deps.db, body.organizationId))) {
    throw new HttpError(400, 'organizationId: no such organization');
  }
}

export function registerUserRoutes(api: ApiBuilder, deps: RouteDeps): void {
  const { db, now } = deps;
  const existing = async (id: string): Promise<UserView> => {
    const found = await getUser(db, id);
    if (!found) throw new HttpError(404, 'user not found');
    return found;
  };

  api.route({ method: 'get', path: '/api/v1/users', tag: 'users',
    summary: 'Users: all for a region administrator; otherwise the members of organizations where the caller coordinates, leads, curates or administers.',
    roles: 'administrator, curator, coordinator, leader', query: z.object({ organizationId: uuid.optional(), role: z.enum(USER_ROLES).optional(), ...page }),
    response: pageOf(userView), errors: [] }, async ({ user, query }) => {
    const readsAll = isRegionAdmin(user);
    const organizationIds = orgsWithRole(user, ['administrator', 'curator', 'coordinator', 'leader']);
    if (!readsAll && organizationIds.length === 0) throw new HttpError(403, 'your roles do not allow listing users');
    if (query.organizationId && !readsAll && !organizationIds.includes(query.organizationId)) {
      throw new HttpError(403, 'you cannot list users of that organization');
    }
    const items = await listUsers(db, { readsAll, organizationIds, organizationId: query.organizationId, role: query.role, limit: query.limit,
      offset: query.offset });
    return { body: { items, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/users', tag: 'users',
    summary: "Create a user: the staff card and roles. Without a password the answer carries a one-time invitation link (also e-mailed to the card's address).",
    roles: 'region administrator; administrator of the organization (roles in it only)', body: userBody, status: 201,
    response: userView.extend({ invitation: invitationView.optional() }), errors: { 409: 'The login is taken' } }, async ({ user, body }) => {
    checkCreate(user, body.roles);
    const by = { actor: user.id, at: now() };
    let invitation: Invitation | undefined;
    const { password, ...card } = body;
    const created = await createUser(db, { ...card, passwordHash: password ? await hashPassword(password) : undefined }, by,
      password ? undefined : async (sql, id) => void (invitation = await issueInvitation(sql, { userId: id, actor: user.id, now: by.at }, deps.staff)), {
      actor: user.id,
      entity: 'user',
      action: 'created',
      changes: { login: body.login, displayName: body.displayName, roles: body.roles },
    });
    if (!created.ok) {
      throw created.reason === 'login-taken' ? new HttpError(409, `login "${body.login}" is taken`) : new HttpError(400, 'roles: no such organization');
    }
    deps.relay?.nudge();
    return { body: { ...(await getUser(db, created.id)), ...(invitation ? { invitation } : {}) } };
  });

  api.route({ method: 'patch', path: '/api/v1/users/:id', tag: 'users',
    summary: 'Change the staff card (ФИО, position, phone, e-mail), deactivate or set a new password.',
    roles: 'region administrator; administrator of an organization of the user', params: idParams, body: userPatch, response: userView,
    errors: { 404: 'No such user' } }, async ({ user, params, body }) => {
    const target = await existing(params.id);
    const mayEdit = isRegionAdmin(user) ||
      (target.roles.length > 0 && target.roles.every((r) => r.organizationId && hasOrgRole(user, 'administrator', r.organizationId)));
    if (!mayEdit) throw new HttpError(403, 'only an administrator edits this user');
    if (body.active === false && params.id === user.id) throw new HttpError(400, 'you cannot deactivate yourself');
    const by = { actor: user.id, at: now() };
    const { password, ...card } = body;
    // A new password ends the user's sessions, as deactivation does (updateUser).
    const passwordHash = password !== undefined ? await hashPassword(password) : undefined;
    await updateUser(db, params.id, { ...card, passwordHash }, by, { actor: user.id, entity: 'user', entityId: params.id, action: 'updated', changes: {
      ...(body.displayName !== undefined && body.displayName !== target.displayName ? { displayName: { from: target.displayName, to: body.displayName } } : {}),
      ...(body.active !== undefined && body.active !== target.active ? { active: { from: target.active, to: body.active } } : {}),
      ...(password !== undefined ? { password: 'изменён' } : {}),
    } });
    return { body: await existing(params.id) };
  });

  api.route({ method: 'put', path: '/api/v1/users/:id/roles', tag: 'users',
    summary: "Replace the user's roles in one organization (or region-wide with organizationId null).",
    roles: 'region administrator; administrator of the organization; curator (coordinator/executor/leader roles)', params: idParams, body: rolesBody,
    response: userView, errors: { 404: 'No such user' } }, async ({ user, params, body }) => {
    const before = await existing(params.id);
    await checkRoleChange(deps, user, params.id, body);
    const from = before.roles.filter((r) => r.organizationId === body.organizationId).map((r) => r.role);
    await replaceRoles(db, params.id, body.organizationId, body.roles, { actor: user.id, at: now() }, { actor: user.id, entity: 'user', entityId: params.id,
      action: 'roles', changes: { organizationId: body.organizationId, from, to: body.roles } });
    return { body: await existing(params.id) };
  });
}
