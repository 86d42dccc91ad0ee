/** `users` and `user_roles`: staff accounts and the roles they hold in organizations (or region-wide). */
import { withTransaction } from '../../lib/transaction.js';
import { recordAudit, type AuditEntry, type NewEntityAudit } from './audit.js';
import type pg from 'pg';
import type { UserRole } from '../rules.js';
import { pgCode, Where, type Page, type Sql } from './sql.js';
import { insertHistory, type HistoryEntry } from './staff-history.js';

export interface RoleEntry {
  role: UserRole;
  organizationId: string | null;
}

/** The staff card of ПОС's form: ФИО (displayName), position, mobile phone, e-mail. Phone and e-mail are personal data. */
export interface StaffCard {
  position?: string | null;
  phone?: string | null;
  email?: string | null;
}

export interface UserView {
  id: string;
  login: string;
  displayName: string;
  position: string | null;
  phone: string | null;
  email: string | null;
  active: boolean;
  /** False until an invited user set their password. */
  activated: boolean;
  createdAt: Date;
  roles: { role: string; organizationId: string | null }[];
}

/** Who changed something, and when: for the staff history. */
export interface ChangedBy {
  actor: string;
  at: Date;
}

/** The password hash of an account nobody can log into yet (an invited user); no hasher ever produces it. */
export const NO_PASSWORD = '!invited';

const USER_SELECT = `select u.id, u.login, u.display_name as "displayName", u.position, u.phone, u.email, u.active,
    u.activated_at is not null as activated, u.created_at as "createdAt",
    coalesce((select json_agg(json_build_object('role', ur.role, 'organizationId', ur.organization_id) order by ur.role)
      from user_roles ur where ur.user_id = u.id), '[]') as roles
  from users u`;

export async function getUser(sql: Sql, id: string): Promise<UserView | undefined> {
  const r = await sql.query<UserView>(`${USER_SELECT} where u.id = $1`, [id]);
  return r.rows[0];
}

export interface UserFilter extends Page {
  /** Every user, or only members of these organizations. */
  readsAll: boolean;
  organizationIds: string[];
  organizationId?: string;
  role?: UserRole;
}

export async function listUsers(sql: Sql, f: UserFilter): Promise<UserView[]> {
  const w = new Where();
  const member = (orgCondition: string) => `exists (select 1 from user_roles x where x.user_id = u.id and ${orgCondition})`;
  if (!f.readsAll) w.add(member(`x.organization_id = any(${w.bind(f.organizationIds)}::uuid[])`));
  w.when(f.organizationId, (p) => member(`x.organization_id = ${p}${f.role ? ` and x.role = ${w.bind(f.role)}` : ''}`));
  w.when(f.role, (p) => member(`x.role = ${p}`));
  const r = await sql.query<UserView>(
    `${USER_SELECT} where ${w} order by u.login limit $${w.args.length + 1} offset $${w.args.length + 2}`,
    [...w.args, f.limit, f.offset],
  );
  return r.rows;
}

export type CreateUserResult = { ok: true; id: string } | { ok: false; reason: 'login-taken' | 'no-such-organization' };

/**
 * A user, their card and roles in one transaction, with the history entries and the audit entry (its entityId is the
 * new user's): a taken login or an unknown organization leaves nothing behind. Without a password hash the account
 * waits for its invitation (activated later).
 */
export async function createUser(db: pg.Pool, u: StaffCard & { login: string; passwordHash?: string; displayName: string; roles: RoleEntry[] }, by: ChangedBy,
  within?: (sql: Sql, id: string) => Promise<void>, audit?: NewEntityAudit): Promise<CreateUserResult>
{
  try {
    return await withTransaction(db, async (client) => {
      const created = await client.query<{ id: string }>(
        `insert into users (login, password_hash, display_name, position, phone, email, activated_at) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (login) do nothing returning id`,
        [u.login, u.passwordHash ?? NO_PASSWORD, u.displayName, u.position ?? null, u.phone ?? null, u.email ?? null, u.passwordHash ? by.at : null],
      );
      if (!created.rowCount) return { ok: false, reason: 'login-taken' } as const;
      const id = created.rows[0]!.id;
      for (const e of u.roles) {
        await client.query('insert into user_roles (user_id, organization_id, role) values ($1, $2, $3) on conflict do nothing', [id, e.organizationId,
          e.role]);
      }
      const orgs = [...new Set(u.roles.map((e) => e.organizationId))];
      await insertHistory(client,
        (orgs.length ? orgs : [null]).map((organizationId) => ({ userId: id, organizationId, ...by, change: 'created' as const,
          data: { roles: u.roles.filter((e) => e.organizationId === organizationId).map((e) => e.role) } })
        ));
      await within?.(client, id);
      if (audit) await recordAudit(client, { ...audit, entityId: id });
      return { ok: true, id } as const;
    });
  } catch (err) {
    if (pgCode(err) === '23503') return { ok: false, reason: 'no-such-organization' };
    throw err;
  }
}

/** The card's columns a patch may set. */
const CARD_COLUMNS = { displayName: 'display_name', position: 'position', phone: 'phone', email: 'email' } as const;

/**
 * Changes the card, re-passwords or (de)activates, with a history entry naming the fields changed (not their values)
 * and the audit entry, in one transaction; a new password or a deactivation ends every session of the user at once.
 */
export async function updateUser(db: pg.Pool, id: string, patch: StaffCard & { displayName?: string; active?: boolean; passwordHash?: string }, by: ChangedBy,
  audit?: AuditEntry): Promise<void>
{
  await withTransaction(db, async (client) => {
    const before =
      (await client.query<Record<string, unknown>>('select display_name, position, phone, email, active from users where id = $1 for update', [id])).rows[0];
    if (!before) return;
    const fields = (Object.keys(CARD_COLUMNS) as (keyof typeof CARD_COLUMNS)[])
      .filter((k) => patch[k] !== undefined && (patch[k] ?? null) !== before[CARD_COLUMNS[k]]);
    for (const k of fields) await client.query(`update users set ${CARD_COLUMNS[k]} = $2 where id = $1`, [id, patch[k] ?? null]);
    const entries: HistoryEntry[] = fields.length ? [{ userId: id, ...by, change: 'profile', data: { fields } }] : [];
    if (patch.active !== undefined && patch.active !== before.active) {
      await client.query('update users set active = $2 where id = $1', [id, patch.active]);
      if (!patch.active) await client.query('delete from sessions where user_id = $1', [id]);
      entries.push({ userId: id, ...by, change: patch.active ? 'reactivated' : 'deactivated' });
    }
    if (patch.passwordHash !== undefined) {
      await client.query('update users set password_hash = $2 where id = $1', [id, patch.passwordHash]);
      await client.query('delete from sessions where user_id = $1', [id]);
      entries.push({ userId: id, ...by, change: 'password-reset' });
    }
    await insertHistory(client, entries);
    if (audit) await recordAudit(client, audit);
  });
}

export async function rolesIn(sql: Sql, userId: string, organizationId: string): Promise<UserRole[]> {
  const r = await sql.query<{ role: UserRole }>('select role from user_roles where user_id = $1 and organization_id = $2', [userId, organizationId]);
  return r.rows.map((x) => x.role);
}

/** Replaces the user's roles in one organization (or the region-wide ones for null), with a history entry when they change and its audit entry. */
export async function replaceRoles(db: pg.Pool, userId: string, organizationId: string | null, roles: UserRole[], by: ChangedBy,
  audit?: AuditEntry): Promise<void>
{
  await withTransaction(db, async (client) => {
    const removed = await client.query<{ role: string }>(
      'delete from user_roles where user_id = $1 and organization_id is not distinct from $2 returning role',
      [userId, organizationId],
    );
    const next = [...new Set(roles)].sort();
    for (const role of next) {
      await client.query('insert into user_roles (user_id, organization_id, role) values ($1, $2, $3)', [userId, organizationId, role]);
    }
    const from = removed.rows.map((r) => r.role).sort();
    if (from.join() !== next.join()) await insertHistory(client, [{ userId, organizationId, ...by, change: 'roles', data: { from, to: next } }]);
    if (audit) await recordAudit(client, audit);
  });
}

/** Whether an active user holds one of these roles in the organization. */
export async function isMemberWithRole(sql: Sql, userId: string, organizationId: string, roles: UserRole[]): Promise<boolean> {
  const r = await sql.query(
    `select 1 from user_roles ur join users u on u.id = ur.user_id
      where ur.user_id = $1 and ur.organization_id = $2 and ur.role = any($3::text[]) and u.active`,
    [userId, organizationId, roles],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Active users holding any of these roles in the organization (none when there is no organization); `activatedOnly`
 * leaves out those invited who have not yet activated their account (they cannot act on anything yet).
 */
export async function activeUsersWithRole(sql: Sql, organizationId: string | null, roles: UserRole[], activatedOnly = false): Promise<string[]> {
  if (!organizationId) return [];
  const r = await sql.query<{ user_id: string }>(
    `select distinct ur.user_id from user_roles ur join users u on u.id = ur.user_id
      where ur.organization_id = $1 and ur.role = any($2::text[]) and u.active and ($3 = false or u.activated_at is not null)`,
    [organizationId, roles, activatedOnly],
  );
  return r.rows.map((x) => x.user_id);
}

/** The active executors of an organization by name: who a case may be assigned or passed to. */
export async function activeExecutorsOf(sql: Sql, organizationId: string | null): Promise<{ id: string; displayName: string }[]> {
  if (!organizationId) return [];
  const r = await sql.query<{ id: string; displayName: string }>(
    `select distinct u.id, u.display_name as "displayName" from users u join user_roles ur on ur.user_id = u.id
      where ur.organization_id = $1 and ur.role = 'executor' and u.active order by u.display_name, u.id limit 500`,
    [organizationId],
  );
  return r.rows;
}

/** Active region-wide moderators: who moves a case that has no organization yet. */
export async function activeModerators(sql: Sql): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    `select distinct ur.user_id from user_roles ur join users u on u.id = ur.user_id
      where u.active and ur.organization_id is null and ur.role = 'moderator'`,
  );
  return r.rows.map((x) => x.user_id);
}

/** Everyone holding these roles in the organization, active or not (the repeat-review notice goes to the post). */
export async function holdersOfRoles(sql: Sql, organizationId: string | null, roles: UserRole[]): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    'select distinct user_id from user_roles where organization_id = $1 and role = any($2::text[])',
    [organizationId, roles],
  );
  return r.rows.map((x) => x.user_id);
}
