/**
 * The workflow REST API under /api/v1: auth, the current user, organizations, users and roles, cases with their
 * actions, answer checks and staff notifications, plus its OpenAPI 3.1 document. Every handler enforces the role
 * matrix of workflow/rules.ts; inputs are zod-validated; errors are JSON `{error}`.
 */
import type { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { attachmentSchema, CASE_STATUSES, SOURCES, type CaseStatus } from '../lib/queues.js';
import { isoDateOrDateTime, pgInt, pgIntParam } from '../lib/request-schemas.js';
import { lintAnswer } from './answer-lint.js';
import {
  clearLoginFailures, hashPassword, login, loginKey, loginRetryAfter, logout, readCookie, recordLoginFailure, requireAuth, SESSION_COOKIE,
  type AuthUser, type LoginLimit,
} from './auth.js';
import { ApiBuilder, HttpError } from './http-kit.js';
import { registerRoutingRoutes } from './routing/api.js';
import { routingOfCase } from './routing/store.js';
import { loadCase, performAction, type CaseRow } from './lifecycle.js';
import type { OutboxRelay } from './outbox.js';
import { DAY_MS } from './register-case.js';
import {
  ACTIONS, RULES, SUBTREE_READERS, USER_ROLES, availableActions, canReadCase, hasOrgRole, hasRegionRole, orgsWithRole, OPEN_STATUSES, REGION_ROLES,
  type ActionName, type Actor, type UserRole,
} from './rules.js';

export interface WorkflowApiDeps {
  db: pg.Pool;
  tokenTtlHours: number;
  now?: () => Date;
  loginLimit?: LoginLimit;
  /** Nudged after each action so its events and notices leave at once rather than on the next poll. */
  relay?: Pick<OutboxRelay, 'nudge'>;
  reminderDaysBefore?: number[];
}

const uuid = z.uuid();
const idParams = z.object({ id: uuid });
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const isoDate = isoDateOrDateTime;
const page = { limit: pgIntParam.min(1).max(500).default(50), offset: pgIntParam.min(0).default(0) };

const loginBody = z.object({ login: z.string().min(1).max(200), password: z.string().min(1).max(500) });

const ogrn = z.string().regex(/^\d{13}(\d{2})?$/, 'OGRN is 13 digits (15 for an entrepreneur)');
const inn = z.string().regex(/^(\d{10}|\d{12})$/, 'INN is 10 or 12 digits');
const ORG_KINDS = ['region', 'roiv', 'omsu', 'school', 'management_company', 'institution', 'other'] as const;
const orgBody = z.object({
  name: z.string().trim().min(1).max(500),
  kind: z.enum(ORG_KINDS).default('other'),
  parentId: uuid.nullable().optional(),
  ogrn: ogrn.optional(),
  inn: inn.optional(),
  site: z.url().max(500).optional(),
});
const orgPatch = orgBody.partial().extend({ trainingConfirmed: z.boolean().optional(), readyConfirmed: z.boolean().optional() });
const confirmBody = z.object({ trainingConfirmed: z.literal(true).optional(), readyConfirmed: z.literal(true).optional() })
  .refine((b) => b.trainingConfirmed || b.readyConfirmed, 'confirm trainingConfirmed and/or readyConfirmed');

const roleEntry = z.object({ role: z.enum(USER_ROLES), organizationId: uuid.nullable() });
const userBody = z.object({
  login: z.string().trim().min(3).max(100).regex(/^[A-Za-z0-9._@-]+$/, 'login: latin letters, digits, . _ @ -'),
  password: z.string().min(10).max(500),
  displayName: z.string().trim().min(1).max(300),
  roles: z.array(roleEntry).max(50).default([]),
});
const userPatch = z.object({ displayName: z.string().trim().min(1).max(300).optional(), active: z.boolean().optional(), password: z.string().min(10).max(500).optional() });
const rolesBody = z.object({ organizationId: uuid.nullable(), roles: z.array(z.enum(USER_ROLES)).max(10) });

const listCasesQuery = z.object({
  status: z.string().max(500).optional().transform((v, ctx) => {
    if (!v) return undefined;
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((s) => !(CASE_STATUSES as readonly string[]).includes(s));
    if (bad.length) ctx.addIssue({ code: 'custom', message: `unknown status ${bad.join(', ')}; known: ${CASE_STATUSES.join(', ')}` });
    return list as CaseStatus[];
  }),
  category: z.string().max(200).optional(),
  organizationId: uuid.optional(),
  source: z.enum(SOURCES).optional(),
  overdue: bool.optional(),
  assignedToMe: bool.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  municipality: z.string().trim().min(1).max(300).optional(),
  incidentId: z.string().trim().min(1).max(100).optional(),
  ...page,
});

const actionBody = z.object({
  expectedVersion: pgInt.min(0),
  comment: z.string().trim().min(1).max(5000).optional(),
  reason: z.string().trim().min(3).max(2000).optional(),
  organizationId: uuid.optional(),
  executorId: uuid.optional(),
  text: z.string().trim().min(1).max(10_000).optional(),
  attachments: z.array(attachmentSchema).max(20).optional(),
});
const lintBody = z.object({
  text: z.string().min(1).max(10_000),
  attachments: z.array(z.object({ kind: z.string() })).max(20).default([]),
  caseId: uuid.optional(),
});

const lintWarning = z.object({ code: z.string(), message: z.string() });
const caseSummary = z.object({
  id: z.uuid(), registrationNumber: z.string(), status: z.enum(CASE_STATUSES), version: z.number(), category: z.string(),
  source: z.enum(SOURCES), organizationId: z.uuid().nullable(), organizationName: z.string().nullable(), executorId: z.uuid().nullable(),
  registeredAt: z.string(), deadlineAt: z.string(), daysLeft: z.number(), overdue: z.boolean(), fastTrack: z.boolean(), deadlineDays: z.number(),
});

const isRegionAdmin = (u: AuthUser) => hasRegionRole(u, 'administrator');

/** The actor with the sub-organizations below the ones they lead or curate (read access down the hierarchy). */
async function withSubtree(db: pg.Pool, user: AuthUser): Promise<AuthUser & Actor> {
  const roots = orgsWithRole(user, SUBTREE_READERS);
  if (roots.length === 0) return user;
  const r = await db.query<{ id: string }>(
    `with recursive sub(id) as (
       select o.id from organizations o where o.parent_id = any($1::uuid[])
       union select o.id from organizations o join sub on o.parent_id = sub.id)
     select id from sub`,
    [roots],
  );
  return { ...user, subtreeOrganizationIds: r.rows.map((x) => x.id) };
}

export function createWorkflowApi(deps: WorkflowApiDeps): Router {
  const now = deps.now ?? (() => new Date());
  const limit: LoginLimit = deps.loginLimit ?? { maxFailures: 5, windowMinutes: 15 };
  const db = deps.db;
  const api = new ApiBuilder(requireAuth(db));

  // ---- auth ------------------------------------------------------------------------------------------------
  api.route({ method: 'post', path: '/api/v1/auth/login', tag: 'auth', auth: false, summary: 'Log in; returns a bearer token that expires. Failed attempts are limited per login and IP.',
    body: loginBody, response: z.object({ token: z.string(), expiresAt: z.string() }) }, async ({ body, req }) => {
    const key = loginKey(body.login, req.ip ?? 'unknown');
    const retry = await loginRetryAfter(db, key, limit, now());
    if (retry > 0) {
      return { status: 429, headers: { 'retry-after': String(retry) }, body: { error: `too many failed logins: try again in ${retry} s` } };
    }
    const session = await login(db, body.login, body.password, deps.tokenTtlHours);
    if (!session) {
      await recordLoginFailure(db, key, now(), limit);
      throw new HttpError(401, 'wrong login or password');
    }
    await clearLoginFailures(db, key);
    return { body: { token: session.token, expiresAt: session.expiresAt.toISOString() } };
  });

  api.route({ method: 'post', path: '/api/v1/auth/logout', tag: 'auth', summary: 'End this token\'s session.' }, async ({ req }) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? readCookie(req, SESSION_COOKIE);
    if (token) await logout(db, token);
    return { body: { ok: true } };
  });

  api.route({ method: 'get', path: '/api/v1/me', tag: 'auth', summary: 'The current user, roles, organizations with readiness flags, and whether the confirmation dialog must be shown.' },
    async ({ user }) => {
      const orgIds = [...new Set(user.roles.map((r) => r.organizationId).filter((x): x is string => !!x))];
      const orgs = await db.query<{ id: string; name: string; trainingConfirmed: boolean; readyConfirmed: boolean }>(
        `select id, name, training_confirmed as "trainingConfirmed", ready_confirmed as "readyConfirmed" from organizations where id = any($1::uuid[]) order by name`,
        [orgIds],
      );
      const unread = await db.query<{ n: number }>('select count(*)::int as n from notifications where user_id = $1 and read_at is null', [user.id]);
      const pending = orgs.rows.filter((o) => !o.trainingConfirmed || !o.readyConfirmed);
      return {
        body: {
          user: { id: user.id, login: user.login, displayName: user.displayName },
          roles: user.roles,
          organizations: orgs.rows,
          // «Требуется подтверждение»: shown until both flags of every organization of the user are set.
          confirmationRequired: pending.length > 0,
          confirmationOrganizations: pending.map((o) => o.id),
          unreadNotifications: unread.rows[0]!.n,
        },
      };
    });

  // ---- organizations -----------------------------------------------------------------------------------------
  const ORG_SELECT = `select id, parent_id as "parentId", name, kind, ogrn, inn, site, training_confirmed as "trainingConfirmed",
    ready_confirmed as "readyConfirmed", created_at as "createdAt" from organizations`;

  api.route({ method: 'get', path: '/api/v1/organizations', tag: 'organizations', summary: 'Organizations of the region (for routing and redirects).',
    roles: 'any signed-in user', query: z.object({ parentId: uuid.optional(), ...page }) }, async ({ query }) => {
    const r = await db.query(`${ORG_SELECT} where ($1::uuid is null or parent_id = $1) order by name, id limit $2 offset $3`,
      [query.parentId ?? null, query.limit, query.offset]);
    return { body: { items: r.rows, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/organizations', tag: 'organizations', summary: 'Create an organization in the hierarchy.',
    roles: 'region administrator', body: orgBody }, async ({ user, body }) => {
    if (!isRegionAdmin(user)) throw new HttpError(403, 'only a region administrator creates organizations');
    if (body.parentId && !(await db.query('select 1 from organizations where id = $1', [body.parentId])).rowCount) {
      throw new HttpError(400, 'parentId: no such organization');
    }
    const r = await db.query(
      `insert into organizations (parent_id, name, kind, ogrn, inn, site) values ($1, $2, $3, $4, $5, $6)
       returning id, parent_id as "parentId", name, kind, ogrn, inn, site, training_confirmed as "trainingConfirmed", ready_confirmed as "readyConfirmed"`,
      [body.parentId ?? null, body.name, body.kind, body.ogrn ?? null, body.inn ?? null, body.site ?? null],
    );
    return { status: 201, body: r.rows[0] };
  });

  const getOrg = async (id: string) => {
    const r = await db.query(`${ORG_SELECT} where id = $1`, [id]);
    if (!r.rowCount) throw new HttpError(404, 'organization not found');
    return r.rows[0] as Record<string, unknown>;
  };

  api.route({ method: 'get', path: '/api/v1/organizations/:id', tag: 'organizations', summary: 'One organization with its children.',
    roles: 'any signed-in user', params: idParams }, async ({ params }) => {
    const org = await getOrg(params.id);
    const children = await db.query(`${ORG_SELECT} where parent_id = $1 order by name`, [params.id]);
    return { body: { ...org, children: children.rows } };
  });

  api.route({ method: 'patch', path: '/api/v1/organizations/:id', tag: 'organizations', summary: 'Edit an organization (readiness flags may also be reset here).',
    roles: 'region administrator; administrator of the organization', params: idParams, body: orgPatch }, async ({ user, params, body }) => {
    await getOrg(params.id);
    if (!isRegionAdmin(user) && !hasOrgRole(user, 'administrator', params.id)) throw new HttpError(403, 'only an administrator edits an organization');
    if (body.parentId !== undefined && !isRegionAdmin(user)) throw new HttpError(403, 'only a region administrator moves organizations in the hierarchy');
    if (body.parentId === params.id) throw new HttpError(400, 'parentId: an organization cannot be its own parent');
    const cols: Record<string, unknown> = {
      parent_id: body.parentId, name: body.name, kind: body.kind, ogrn: body.ogrn, inn: body.inn, site: body.site,
      training_confirmed: body.trainingConfirmed, ready_confirmed: body.readyConfirmed,
    };
    const set = Object.entries(cols).filter(([, v]) => v !== undefined);
    if (set.length) {
      await db.query(`update organizations set ${set.map(([k], i) => `${k} = $${i + 2}`).join(', ')} where id = $1`, [params.id, ...set.map(([, v]) => v)]);
    }
    return { body: await getOrg(params.id) };
  });

  api.route({ method: 'post', path: '/api/v1/organizations/:id/confirm', tag: 'organizations',
    summary: 'The confirmation dialog: «Мною пройдено обучение» (trainingConfirmed) and «ЛКО готов к работе» (readyConfirmed).',
    roles: 'any member of the organization', params: idParams, body: confirmBody }, async ({ user, params, body }) => {
    await getOrg(params.id);
    if (!user.roles.some((r) => r.organizationId === params.id) && !isRegionAdmin(user)) {
      throw new HttpError(403, 'only members of the organization confirm its readiness');
    }
    await db.query(
      `update organizations set training_confirmed = training_confirmed or $2, ready_confirmed = ready_confirmed or $3 where id = $1`,
      [params.id, body.trainingConfirmed ?? false, body.readyConfirmed ?? false],
    );
    return { body: await getOrg(params.id) };
  });

  // ---- users and roles -------------------------------------------------------------------------------------
  /** Organizations whose roles this user may change: org administrators any role; curators the working ones. */
  const roleScope = (u: AuthUser, organizationId: string | null, roles: UserRole[]): string | undefined => {
    if (isRegionAdmin(u)) return undefined;
    if (organizationId === null) return 'only a region administrator grants region-wide roles';
    if (hasOrgRole(u, 'administrator', organizationId)) return undefined;
    if (hasOrgRole(u, 'curator', organizationId)) {
      return roles.every((r) => ['coordinator', 'executor', 'leader'].includes(r))
        ? undefined : 'a curator assigns coordinator, executor and leader roles only';
    }
    return 'only an administrator (or a curator) of the organization manages its roles';
  };
  const checkRoleEntries = (entries: { role: UserRole; organizationId: string | null }[]) => {
    for (const e of entries) {
      const regionRole = REGION_ROLES.includes(e.role);
      if (e.role === 'moderator' && e.organizationId !== null) throw new HttpError(400, 'roles: moderator is a region-wide role (organizationId null)');
      if (!regionRole && e.organizationId === null) throw new HttpError(400, `roles: ${e.role} needs an organizationId`);
    }
  };

  const USER_SELECT = `select u.id, u.login, u.display_name as "displayName", u.active, u.created_at as "createdAt",
      coalesce((select json_agg(json_build_object('role', ur.role, 'organizationId', ur.organization_id) order by ur.role)
        from user_roles ur where ur.user_id = u.id), '[]') as roles
    from users u`;

  api.route({ method: 'get', path: '/api/v1/users', tag: 'users', summary: 'Users: all for a region administrator; otherwise the members of organizations where the caller coordinates, leads, curates or administers.',
    roles: 'administrator, curator, coordinator, leader', query: z.object({ organizationId: uuid.optional(), role: z.enum(USER_ROLES).optional(), ...page }) },
  async ({ user, query }) => {
    const all = isRegionAdmin(user);
    const orgs = orgsWithRole(user, ['administrator', 'curator', 'coordinator', 'leader']);
    if (!all && orgs.length === 0) throw new HttpError(403, 'your roles do not allow listing users');
    if (query.organizationId && !all && !orgs.includes(query.organizationId)) throw new HttpError(403, 'you cannot list users of that organization');
    const r = await db.query(
      `${USER_SELECT} where ($1::boolean or exists (select 1 from user_roles x where x.user_id = u.id and x.organization_id = any($2::uuid[])))
         and ($3::uuid is null or exists (select 1 from user_roles x where x.user_id = u.id and x.organization_id = $3
              and ($4::text is null or x.role = $4)))
         and ($4::text is null or exists (select 1 from user_roles x where x.user_id = u.id and x.role = $4))
       order by u.login limit $5 offset $6`,
      [all, orgs, query.organizationId ?? null, query.role ?? null, query.limit, query.offset],
    );
    return { body: { items: r.rows, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/users', tag: 'users', summary: 'Create a user with roles.',
    roles: 'region administrator; administrator of the organization (roles in it only)', body: userBody }, async ({ user, body }) => {
    checkRoleEntries(body.roles);
    const byOrg = new Map<string | null, UserRole[]>();
    for (const e of body.roles) byOrg.set(e.organizationId, [...(byOrg.get(e.organizationId) ?? []), e.role]);
    if (!isRegionAdmin(user)) {
      if (!orgsWithRole(user, ['administrator']).length) throw new HttpError(403, 'only an administrator creates users');
      for (const [org, roles] of byOrg) {
        if (org === null || !hasOrgRole(user, 'administrator', org)) throw new HttpError(403, roleScope(user, org, roles) ?? 'forbidden');
      }
    }
    const client = await db.connect();
    try {
      await client.query('begin');
      const created = await client.query<{ id: string }>(
        'insert into users (login, password_hash, display_name) values ($1, $2, $3) on conflict (login) do nothing returning id',
        [body.login, await hashPassword(body.password), body.displayName],
      );
      if (!created.rowCount) {
        await client.query('rollback');
        throw new HttpError(409, `login "${body.login}" is taken`);
      }
      const id = created.rows[0]!.id;
      for (const e of body.roles) {
        await client.query('insert into user_roles (user_id, organization_id, role) values ($1, $2, $3) on conflict do nothing', [id, e.organizationId, e.role]);
      }
      await client.query('commit');
      return { status: 201, body: (await db.query(`${USER_SELECT} where u.id = $1`, [id])).rows[0] };
    } catch (err) {
      await client.query('rollback').catch(() => {});
      if ((err as { code?: string }).code === '23503') throw new HttpError(400, 'roles: no such organization');
      throw err;
    } finally {
      client.release();
    }
  });

  const getUser = async (id: string) => {
    const r = await db.query(`${USER_SELECT} where u.id = $1`, [id]);
    if (!r.rowCount) throw new HttpError(404, 'user not found');
    return r.rows[0] as { id: string; roles: { role: string; organizationId: string | null }[] };
  };

  api.route({ method: 'patch', path: '/api/v1/users/:id', tag: 'users', summary: 'Rename, deactivate or set a new password.',
    roles: 'region administrator; administrator of an organization of the user', params: idParams, body: userPatch }, async ({ user, params, body }) => {
    const target = await getUser(params.id);
    const mayEdit = isRegionAdmin(user) || (target.roles.length > 0 && target.roles.every((r) => r.organizationId && hasOrgRole(user, 'administrator', r.organizationId)));
    if (!mayEdit) throw new HttpError(403, 'only an administrator edits this user');
    if (body.active === false && params.id === user.id) throw new HttpError(400, 'you cannot deactivate yourself');
    if (body.displayName !== undefined) await db.query('update users set display_name = $2 where id = $1', [params.id, body.displayName]);
    if (body.password !== undefined) await db.query('update users set password_hash = $2 where id = $1', [params.id, await hashPassword(body.password)]);
    if (body.active !== undefined) {
      await db.query('update users set active = $2 where id = $1', [params.id, body.active]);
      if (!body.active) await db.query('delete from sessions where user_id = $1', [params.id]);
    }
    return { body: await getUser(params.id) };
  });

  api.route({ method: 'put', path: '/api/v1/users/:id/roles', tag: 'users', summary: 'Replace the user\'s roles in one organization (or region-wide with organizationId null).',
    roles: 'region administrator; administrator of the organization; curator (coordinator/executor/leader roles)', params: idParams, body: rolesBody },
  async ({ user, params, body }) => {
    await getUser(params.id);
    checkRoleEntries(body.roles.map((role) => ({ role, organizationId: body.organizationId })));
    const why = roleScope(user, body.organizationId, body.roles);
    if (why) throw new HttpError(403, why);
    if (!isRegionAdmin(user) && body.organizationId) {
      // A curator may not take away roles they could not have granted.
      const current = await db.query<{ role: UserRole }>('select role from user_roles where user_id = $1 and organization_id = $2', [params.id, body.organizationId]);
      const removed = current.rows.map((r) => r.role).filter((r) => !body.roles.includes(r));
      const whyRemove = roleScope(user, body.organizationId, removed);
      if (whyRemove) throw new HttpError(403, whyRemove);
    }
    if (body.organizationId && !(await db.query('select 1 from organizations where id = $1', [body.organizationId])).rowCount) {
      throw new HttpError(400, 'organizationId: no such organization');
    }
    const client = await db.connect();
    try {
      await client.query('begin');
      await client.query(`delete from user_roles where user_id = $1 and organization_id is not distinct from $2`, [params.id, body.organizationId]);
      for (const role of new Set(body.roles)) {
        await client.query('insert into user_roles (user_id, organization_id, role) values ($1, $2, $3)', [params.id, body.organizationId, role]);
      }
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    return { body: await getUser(params.id) };
  });

  // ---- cases ---------------------------------------------------------------------------------------------------
  const withDeadline = <T extends { deadlineAt: Date | string; status: string }>(row: T, at: Date) => {
    const ms = new Date(row.deadlineAt).getTime() - at.getTime();
    return { ...row, daysLeft: Math.ceil(ms / DAY_MS), overdue: ms < 0 && OPEN_STATUSES.includes(row.status as CaseStatus) };
  };

  api.route({ method: 'get', path: '/api/v1/cases', tag: 'cases',
    summary: 'Cases the caller may see, newest first, with days left to the deadline. Filters: status (comma list), category, organizationId, source, overdue, assignedToMe, from/to (registration date), municipality, incidentId.',
    roles: 'region administrator and moderators: all; coordinator, leader, curator: their organizations; executor: assigned to them', query: listCasesQuery,
    response: z.object({ items: z.array(caseSummary), total: z.number(), limit: z.number(), offset: z.number() }) },
  async ({ user: me, query }) => {
    const at = now();
    const user = await withSubtree(db, me);
    const all = isRegionAdmin(user) || hasRegionRole(user, 'moderator');
    const orgs = [...orgsWithRole(user, ['coordinator', 'leader', 'curator']), ...(user.subtreeOrganizationIds ?? [])];
    const args = [all, orgs, user.id, query.status ?? null, query.category ?? null, query.organizationId ?? null, query.source ?? null,
      query.overdue ?? null, at, OPEN_STATUSES, query.assignedToMe ?? false, query.from ?? null, query.to ?? null,
      query.municipality ?? null, query.incidentId ?? null];
    const where = `($1::boolean or c.organization_id = any($2::uuid[]) or c.executor_id = $3)
        and ($4::text[] is null or c.status = any($4::text[])) and ($5::text is null or c.category = $5)
        and ($6::uuid is null or c.organization_id = $6) and ($7::text is null or m.source = $7)
        and ($8::boolean is null or $8 = (c.deadline_at < $9 and c.status = any($10::text[])))
        and (not $11::boolean or c.executor_id = $3)
        and ($12::timestamptz is null or c.registered_at >= $12) and ($13::timestamptz is null or c.registered_at < $13)
        and ($14::text is null or c.municipality = $14) and ($15::text is null or c.incident_id = $15)`;
    const [rows, total] = await Promise.all([
      db.query(
        `select c.id, c.registration_number as "registrationNumber", c.status, c.version, c.category, c.confidence, c.kind,
                c.fast_track as "fastTrack", c.deadline_days as "deadlineDays", c.deadline_rule as "deadlineRule", c.municipality,
                c.organization_id as "organizationId", o.name as "organizationName", c.executor_id as "executorId",
                c.model_version as "modelVersion", c.registered_at as "registeredAt", c.deadline_at as "deadlineAt", c.rating,
                m.source, m.external_id as "externalId", m.text, m.link, m.received_at as "receivedAt", c.incident_id as "incidentId"
           from cases c join messages m on m.id = c.message_id left join organizations o on o.id = c.organization_id
          where ${where}
          order by c.registered_at desc, c.id limit $16 offset $17`,
        [...args, query.limit, query.offset],
      ),
      db.query<{ n: number }>(`select count(*)::int as n from cases c join messages m on m.id = c.message_id where ${where}`, args),
    ]);
    return { body: { items: rows.rows.map((r) => withDeadline(r, at)), total: total.rows[0]!.n, limit: query.limit, offset: query.offset } };
  });

  const readableCase = async (user: AuthUser, id: string): Promise<CaseRow> => {
    const c = await loadCase(db, id);
    if (!c) throw new HttpError(404, 'case not found');
    if (!canReadCase(await withSubtree(db, user), c)) throw new HttpError(403, 'you have no access to this case');
    return c;
  };

  api.route({ method: 'get', path: '/api/v1/cases/:id', tag: 'cases', summary: 'A case with its message, full history, answers with quality warnings, reminders and the actions the caller may take now.',
    roles: 'as for the list', params: idParams }, async ({ user, params }) => {
    const c = await readableCase(user, params.id);
    const at = now();
    const [detail, history, answers, reminders] = await Promise.all([
      db.query(
        `select c.kind, c.confidence, c.fast_track as "fastTrack", c.deadline_rule as "deadlineRule", c.federal_service as "federalService",
                c.rejection_reason as "rejectionReason", c.answered_at as "answeredAt", c.closed_at as "closedAt",
                m.text, m.link, m.place, m.attachments, m.received_at as "receivedAt"
           from cases c join messages m on m.id = c.message_id where c.id = $1`, [c.id]),
      db.query(
        `select e.id, e.at, e.actor, u.display_name as "actorName", e.type, e.from_status as "fromStatus", e.to_status as "toStatus", e.comment, e.data
           from case_events e left join users u on u.id::text = e.actor where e.case_id = $1 order by e.id`, [c.id]),
      db.query(
        `select a.id, a.text, a.attachments, a.lint, a.author_id as "authorId", u.display_name as "authorName", a.created_at as "createdAt"
           from case_answers a join users u on u.id = a.author_id where a.case_id = $1 order by a.id`, [c.id]),
      db.query('select kind, due_at as "dueAt", sent_at as "sentAt" from case_reminders where case_id = $1 order by due_at', [c.id]),
    ]);
    // Contacts are personal data: only the people who work on the case see them.
    const handles = hasRegionRole(user, 'moderator') || c.executorId === user.id
      || ['coordinator', 'leader', 'curator'].some((r) => hasOrgRole(user, r as UserRole, c.organizationId));
    const { contact, provenance: _p, messageText: _t, ...rest } = c;
    return {
      body: {
        ...withDeadline(rest, at),
        ...detail.rows[0],
        contact: handles ? contact : undefined,
        history: history.rows,
        answers: answers.rows,
        reminders: reminders.rows,
        availableActions: availableActions(user, c),
        ...(await routingOfCase(db, c.id)),
      },
    };
  });

  for (const action of ACTIONS) {
    api.route({ method: 'post', path: `/api/v1/cases/:id/${action}`, tag: 'case actions', summary: RULES[action].summary,
      roles: `from ${RULES[action].from.map((f) => f.statuses.join('|')).join('; ')} to ${RULES[action].to}`, params: idParams, body: actionBody },
    async ({ user, params, body }) => {
      const r = await performAction({ db, now, reminderDaysBefore: deps.reminderDaysBefore }, await withSubtree(db, user), params.id, { ...body, action: action as ActionName });
      if (!r.ok) throw new HttpError(r.status, r.error);
      deps.relay?.nudge();
      return { body: { id: r.case.id, status: r.case.status, version: r.case.version, organizationId: r.case.organizationId,
        executorId: r.case.executorId, deadlineAt: r.case.deadlineAt, ...(r.lint ? { warnings: r.lint } : {}) } };
    });
  }

  api.route({ method: 'post', path: '/api/v1/answer-lint', tag: 'cases', summary: 'Check an answer text against the ПОС answer rules without saving it.',
    roles: 'any signed-in user (with caseId: who may read the case)', body: lintBody, response: z.object({ warnings: z.array(lintWarning) }) },
  async ({ user, body }) => {
    const c = body.caseId ? await readableCase(user, body.caseId) : undefined;
    return { body: { warnings: lintAnswer({ text: body.text, attachments: body.attachments, category: c?.category, messageText: c?.messageText }) } };
  });

  // ---- notifications -------------------------------------------------------------------------------------------
  api.route({ method: 'get', path: '/api/v1/notifications', tag: 'notifications', summary: 'The caller\'s notifications (deadline reminders, repeat reviews), newest first.',
    query: z.object({ unread: bool.optional(), ...page }) }, async ({ user, query }) => {
    const r = await db.query(
      `select id, case_id as "caseId", kind, text, created_at as "createdAt", read_at as "readAt" from notifications
        where user_id = $1 and (not $2::boolean or read_at is null) order by id desc limit $3 offset $4`,
      [user.id, query.unread ?? false, query.limit, query.offset],
    );
    return { body: { items: r.rows, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/notifications/:id/read', tag: 'notifications', summary: 'Mark one notification read.',
    params: z.object({ id: z.coerce.number().int().positive() }) }, async ({ user, params }) => {
    const r = await db.query('update notifications set read_at = coalesce(read_at, $3) where id = $1 and user_id = $2', [params.id, user.id, now()]);
    if (!r.rowCount) throw new HttpError(404, 'notification not found');
    return { body: { ok: true } };
  });

  registerRoutingRoutes(api, { db, now });

  const document = api.openApi({
    title: 'Otklik workflow API',
    version: '1',
    description: 'The ПОС case lifecycle: moderation, routing, assignment, drafting, approval, reply, rating. Actions take the case version they saw (expectedVersion); a stale one answers 409.',
  });
  api.route({ method: 'get', path: '/api/v1/openapi.json', tag: 'meta', auth: false, summary: 'This document.' }, async () => ({ body: document }));
  return api.router;
}
