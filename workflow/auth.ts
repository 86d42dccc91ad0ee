import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import type { AuthUser } from '../lib/auth-user.js';
import { readCookie } from '../lib/cookies.js';

export type { AuthUser };

export const hashPassword = (password: string) => hash(password);

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The administrator account from OTKLIK_ADMIN_LOGIN / OTKLIK_ADMIN_PASSWORD. Without a password on first start one
 * is generated and returned once so the caller can print it; it is never stored in clear.
 */
export async function ensureAdmin(db: pg.Pool, login: string, password?: string): Promise<{ created: boolean; generatedPassword?: string }> {
  const existing = await db.query<{ id: string }>('select id from users where login = $1', [login]);
  if (existing.rowCount) {
    if (password) {
      const row = await db.query<{ password_hash: string }>('select password_hash from users where login = $1', [login]);
      if (!(await verify(row.rows[0]!.password_hash, password))) {
        await db.query('update users set password_hash = $2 where login = $1', [login, await hashPassword(password)]);
      }
    }
    return { created: false };
  }
  const generated = password ? undefined : randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password ?? generated!);
  const client = await db.connect();
  try {
    await client.query('begin');
    const user = await client.query<{ id: string }>(
      `insert into users (login, password_hash, display_name) values ($1, $2, 'Администратор')
       on conflict (login) do nothing returning id`,
      [login, passwordHash],
    );
    if (user.rowCount === 0) {
      // Another process created it between our check and insert; its password stands.
      await client.query('rollback');
      return { created: false };
    }
    await client.query(`insert into user_roles (user_id, organization_id, role) values ($1, null, 'administrator')`, [user.rows[0]!.id]);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { created: true, generatedPassword: generated };
}

export async function login(db: pg.Pool, loginName: string, password: string, ttlHours: number): Promise<{ token: string; expiresAt: Date } | null> {
  const r = await db.query<{ id: string; password_hash: string }>('select id, password_hash from users where login = $1 and active', [loginName]);
  const user = r.rows[0];
  // Verify against a dummy hash when the user is unknown, so timing does not reveal which logins exist.
  const ok = await verify(user?.password_hash ?? (await dummyHash()), password).catch(() => false);
  if (!user || !ok) return null;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.query('insert into sessions (token_hash, user_id, expires_at) values ($1, $2, $3)', [tokenDigest(token), user.id, expiresAt]);
  await db.query('delete from sessions where expires_at < now()');
  return { token, expiresAt };
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hash(randomBytes(16).toString('hex')));

export async function userForToken(db: pg.Pool, token: string): Promise<AuthUser | null> {
  const r = await db.query<{ id: string; login: string; display_name: string; roles: AuthUser['roles'] | null }>(
    `select u.id, u.login, u.display_name,
            (select json_agg(json_build_object('role', ur.role, 'organizationId', ur.organization_id))
               from user_roles ur where ur.user_id = u.id) as roles
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1 and s.expires_at > now() and u.active`,
    [tokenDigest(token)],
  );
  const row = r.rows[0];
  return row ? { id: row.id, login: row.login, displayName: row.display_name, roles: row.roles ?? [] } : null;
}

/** The dashboard's session cookie (HttpOnly, SameSite=Strict): the same bearer token, held by the browser. */
export const SESSION_COOKIE = 'otklik_token';
/** Header a page script must send with a cookie-authenticated change: a cross-site form cannot set it (CSRF). */
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'otklik';

export { readCookie };

/**
 * Express middleware: `Authorization: Bearer <token>`, or the dashboard's session cookie; answers 401 with a JSON
 * error otherwise. A cookie rides along with any request the browser makes, so a state-changing request that
 * relies on it must also carry the custom header only same-origin scripts can send.
 */
export function requireAuth(db: pg.Pool) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const cookie = match ? undefined : readCookie(req, SESSION_COOKIE);
    if (!match && !cookie) return void res.status(401).json({ error: 'authentication required: send Authorization: Bearer <token>' });
    if (cookie && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.get(CSRF_HEADER) !== CSRF_VALUE) {
      return void res.status(403).json({ error: `cookie-authenticated changes need the ${CSRF_HEADER}: ${CSRF_VALUE} header` });
    }
    try {
      const user = await userForToken(db, match ? match[1]! : cookie!);
      if (!user) return void res.status(401).json({ error: 'token is invalid or expired' });
      req.user = user;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export async function logout(db: pg.Pool, token: string): Promise<void> {
  await db.query('delete from sessions where token_hash = $1', [tokenDigest(token)]);
}

export interface LoginLimit {
  maxFailures: number;
  windowMinutes: number;
}

/**
 * Failed logins per login+IP within a sliding window, kept in PostgreSQL so every workflow process shares the
 * count. Keyed by both: one attacker cannot lock a colleague out from another address, and spraying passwords
 * over many logins from one address is still slowed per login.
 */
export const loginKey = (loginName: string, ip: string) => `${loginName.trim().toLowerCase()}|${ip}`;

/** Seconds until the next attempt is allowed, or 0 when it is allowed now. */
export async function loginRetryAfter(db: pg.Pool, key: string, limit: LoginLimit, now: Date): Promise<number> {
  const since = new Date(now.getTime() - limit.windowMinutes * 60_000);
  const r = await db.query<{ n: number; oldest: Date | null }>(
    `select count(*)::int as n, min(at) as oldest from (
       select at from login_failures where key = $1 and at > $2 order by at desc limit $3) recent`,
    [key, since, limit.maxFailures],
  );
  const { n, oldest } = r.rows[0]!;
  if (n < limit.maxFailures || !oldest) return 0;
  return Math.max(1, Math.ceil((oldest.getTime() + limit.windowMinutes * 60_000 - now.getTime()) / 1000));
}

export async function recordLoginFailure(db: pg.Pool, key: string, now: Date, limit: LoginLimit): Promise<void> {
  await db.query('insert into login_failures (key, at) values ($1, $2)', [key, now]);
  await db.query('delete from login_failures where at < $1', [new Date(now.getTime() - limit.windowMinutes * 60_000)]);
}

export async function clearLoginFailures(db: pg.Pool, key: string): Promise<void> {
  await db.query('delete from login_failures where key = $1', [key]);
}

/**
 * A login with the failed-attempt limit, for callers other than the JSON API (the dashboard's login form):
 * the session, `{retryAfter}` seconds while the limit holds, or null for a wrong login or password.
 */
export async function limitedLogin(db: pg.Pool, opts: { login: string; password: string; ip: string; ttlHours: number; limit: LoginLimit; now?: Date }):
  Promise<{ token: string; expiresAt: Date } | { retryAfter: number } | null> {
  const now = opts.now ?? new Date();
  const key = loginKey(opts.login, opts.ip);
  const retryAfter = await loginRetryAfter(db, key, opts.limit, now);
  if (retryAfter > 0) return { retryAfter };
  const session = await login(db, opts.login, opts.password, opts.ttlHours);
  if (!session) {
    await recordLoginFailure(db, key, now, opts.limit);
    return null;
  }
  await clearLoginFailures(db, key);
  return session;
}
