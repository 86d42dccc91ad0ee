/** The region's organizations: the hierarchy, their details and the readiness confirmations. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { withTransaction } from '../../lib/transaction.js';
import type { AuthUser } from '../auth.js';
import { hasOrgRole } from '../rules.js';
import { childrenOf, confirmOrganization, createOrganization, getOrganization, listOrganizations, organizationExists, ORG_KINDS,
  updateOrganization } from '../store/organizations.js';
import { recordAudit } from '../store/audit.js';
import { idParams, isRegionAdmin, page, uuid, type RouteDeps } from './common.js';
import { organization, pageOf } from './responses.js';

const NOT_FOUND = { 404: 'No such organization' } as const;

/** The fields of an edit that changed, each as {from, to}, for the audit log. */
function diff(before: Record<string, unknown>, after: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => before[k] !== after[k]).map((k) => [k, { from: before[k] ?? null, to: after[k] ?? null }]));
}

const ogrn = z.string().regex(/^\d{13}(\d{2})?$/, 'OGRN is 13 digits (15 for an entrepreneur)');
const inn = z.string().regex(/^(\d{10}|\d{12})$/, 'INN is 10 or 12 digits');
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

function checkEdit(user: AuthUser, id: string, body: z.infer<typeof orgPatch>): void {
  if (!isRegionAdmin(user) && !hasOrgRole(user, 'administrator', id)) throw new HttpError(403, 'only an administrator edits an organization');
  if (body.parentId !== undefined && !isRegionAdmin(user)) throw new HttpError(403, 'only a region administrator moves organizations in the hierarchy');
  if (body.parentId === id) throw new HttpError(400, 'parentId: an organization cannot be its own parent');
}

export function registerOrganizationRoutes(api: ApiBuilder, { db }: RouteDeps): void {
  const existing = async (id: string) => {
    const org = await getOrganization(db, id);
    if (!org) throw new HttpError(404, 'organization not found');
    return org;
  };

  api.route({ method: 'get', path: '/api/v1/organizations', tag: 'organizations', summary: 'Organizations of the region (for routing and redirects).',
    roles: 'any signed-in user', query: z.object({ parentId: uuid.optional(), ...page }), response: pageOf(organization), errors: [] }, async ({ query }) => {
    const items = await listOrganizations(db, { parentId: query.parentId, limit: query.limit, offset: query.offset });
    return { body: { items, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/organizations', tag: 'organizations', summary: 'Create an organization in the hierarchy.',
    roles: 'region administrator', body: orgBody, status: 201, response: organization, errors: [] }, async ({ user, body }) => {
    if (!isRegionAdmin(user)) throw new HttpError(403, 'only a region administrator creates organizations');
    if (body.parentId && !(await organizationExists(db, body.parentId))) throw new HttpError(400, 'parentId: no such organization');
    const created = await withTransaction(db, async (sql) => {
      const org = await createOrganization(sql, body);
      await recordAudit(sql, { actor: user.id, entity: 'organization', entityId: String(org.id), action: 'created', changes: { to: body } });
      return org;
    });
    return { body: created };
  });

  api.route({ method: 'get', path: '/api/v1/organizations/:id', tag: 'organizations', summary: 'One organization with its children.',
    roles: 'any signed-in user', params: idParams, response: organization.extend({ children: z.array(organization) }), errors: NOT_FOUND },
    async ({ params }) => {
      const org = await existing(params.id);
      return { body: { ...org, children: await childrenOf(db, params.id) } };
    });

  api.route({ method: 'patch', path: '/api/v1/organizations/:id', tag: 'organizations',
    summary: 'Edit an organization (readiness flags may also be reset here).', roles: 'region administrator; administrator of the organization',
    params: idParams, body: orgPatch, response: organization, errors: NOT_FOUND }, async ({ user, params, body }) => {
    await existing(params.id);
    checkEdit(user, params.id, body);
    const after = await withTransaction(db, async (sql) => {
      const before = (await getOrganization(sql, params.id, { lock: true }))!;
      await updateOrganization(sql, params.id, body);
      const changed = (await getOrganization(sql, params.id))!;
      await recordAudit(sql, { actor: user.id, entity: 'organization', entityId: params.id, action: 'updated',
        changes: diff(before, changed, Object.keys(body)) });
      return changed;
    });
    return { body: after };
  });

  api.route({ method: 'post', path: '/api/v1/organizations/:id/confirm', tag: 'organizations',
    summary: 'The confirmation dialog: «Мною пройдено обучение» (trainingConfirmed) and «ЛКО готов к работе» (readyConfirmed).',
    roles: 'any member of the organization', params: idParams, body: confirmBody, response: organization, errors: NOT_FOUND },
    async ({ user, params, body }) => {
      await existing(params.id);
      if (!user.roles.some((r) => r.organizationId === params.id) && !isRegionAdmin(user)) {
        throw new HttpError(403, 'only members of the organization confirm its readiness');
      }
      await withTransaction(db, async (sql) => {
        await confirmOrganization(sql, params.id, { trainingConfirmed: body.trainingConfirmed ?? false, readyConfirmed: body.readyConfirmed ?? false });
        await recordAudit(sql, { actor: user.id, entity: 'organization', entityId: params.id, action: 'confirmed', changes: { to: body } });
      });
      return { body: await existing(params.id) };
    });
}
