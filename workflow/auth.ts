import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import type { AuthUser } from '../lib/auth-user.js';
import { readCookie } from '../lib/cookies.js';
import { withTransaction } from '../lib/transaction.js';

export type { AuthUser };

/** Password hashing, injectable so tests count how many argon2 runs a request costs. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

export const argon2Hasher: PasswordHasher = { hash: (p) => hash(p), verify: (h, p) => verify(h, p) };

export const hashPassword = (password: string) => argon2Hasher.hash(password);

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Sets a user's password and ends every session of theirs in the same transaction: whoever held a token with the old
 * password (a colleague who left, a stolen laptop) is out at once. False when there is no such user.
 */
export async function setPassword(db: pg.Pool, userId: string, password: string, hasher: PasswordHasher = argon2Hasher): Promise<boolean> {
  const passwordHash = await hasher.hash(password);
  return withTransaction(db, async (client) => {
    const r = await client.query('update users set password_hash = $2 where id = $1', [userId, passwordHash]);
    await client.query('delete from sessions where user_id = $1', [userId]);
    return r.rowCount === 1;
  });
}

/**
 * The administrator account from OTKLIK_ADMIN_LOGIN / OTKLIK_ADMIN_PASSWORD. Without a password on first start one
 * is generated and returned once so the caller can print it; it is never stored in clear. A changed
 * OTKLIK_ADMIN_PASSWORD replaces the stored one and ends the administrator's sessions (setPassword).
 */
export async function ensureAdmin(db: pg.Pool, login: string, password?: string,
  hasher: PasswordHasher = argon2Hasher): Promise<{ created: boolean; generatedPassword?: string }>
{
  const existing = await db.query<{ id: string; password_hash: string }>('select id, password_hash from users where login = $1', [login]);
  if (existing.rowCount) {
    const admin = existing.rows[0]!;
    if (password && !(await hasher.verify(admin.password_hash, password).catch(() => false))) await setPassword(db, admin.id, password, hasher);
    return { created: false };
  }
  const generated = password ? undefined : randomBytes(12).toString('base64url');
  const passwordHash = await hasher.hash(password ?? generated!);
  const created = await withTransaction(db, async (client) => {
    const user = await client.query<{ id: string }>(
      `insert into users (login, password_hash, display_name, activated_at) values ($1, $2, 'Администратор', now())
       on conflict (login) do nothing returning id`,
      [login, passwordHash],
    );
    // Another process created it between our check and insert; its password stands.
    if (user.rowCount === 0) return false;
    await client.query(`insert into user_roles (user_id, organization_id, role) values ($1, null, 'administrator')`, [user.rows[0]!.id]);
    return true;
  });
  if (!created) return { created: false };
  return { created: true, generatedPassword: generated };
}

/**
 * Checks a password and opens a session. An unknown login is checked against a dummy hash, so it costs the same
 * argon2 run as a known one and timing does not reveal which logins exist; limitedLogin bounds how many such runs
 * a client gets.
 */
export async function login(db: pg.Pool, loginName: string, password: string, ttlHours: number,
  hasher: PasswordHasher = argon2Hasher): Promise<{ token: string; expiresAt: Date } | null>
{
  const r = await db.query<{ id: string; password_hash: string }>('select id, password_hash from users where login = $1 and active', [loginName]);
  const user = r.rows[0];
  const ok = await hasher.verify(user?.password_hash ?? (await dummyHash()), password).catch(() => false);
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
  /** Failed logins per login from one IP address. */
  maxFailures: number;
  windowMinutes: number;
  /** Failed logins from one IP address across all logins (password spraying, unknown-login floods); default 20. */
  ipMaxFailures?: number;
  /** Failed logins for one login across all addresses (a distributed guess); default 50. */
  accountMaxFailures?: number;
}

/**
 * The counters an attempt is charged to, each with its limit. Keyed by login+IP so one attacker cannot lock a
 * colleague out from another address with the small limit; per IP so one address cannot try many logins (or cost an
 * argon2 run per unknown login); per login with a larger limit so many addresses cannot share one account's guesses.
 */
function attemptCounters(loginName: string, ip: string, limit: LoginLimit): { key: string; max: number }[] {
  const name = loginName.trim().toLowerCase();
  return [
    { key: `pair:${name}|${ip}`, max: limit.maxFailures },
    { key: `ip:${ip}`, max: limit.ipMaxFailures ?? 20 },
    { key: `login:${name}`, max: limit.accountMaxFailures ?? 50 },
  ].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Charges one attempt to every counter, or to none when any is at its limit; returns the seconds to wait then, else
 * 0. The counters' rows are locked (in key order, so parallel attempts queue instead of deadlocking) between reading
 * and charging: parallel attempts cannot all read the same old count, and an attempt refused by one counter does not
 * use up the others (a flood from one address cannot lock the account for everyone). A window starts at a counter's
 * first attempt and lasts windowMinutes.
 */
async function chargeAttempt(db: pg.Pool, counters: { key: string; max: number }[], limit: LoginLimit, now: Date): Promise<number> {
  const windowMs = limit.windowMinutes * 60_000;
  const expiredBefore = new Date(now.getTime() - windowMs);
  const keys = counters.map((c) => c.key);
  return withTransaction(db, async (client) => {
    await client.query(
      `insert into login_attempts (key, window_start, attempts) select k, $2, 0 from unnest($1::text[]) as k order by k on conflict (key) do nothing`,
      [keys, now],
    );
    const rows = await client.query<{ key: string; attempts: number; window_start: Date }>(
      'select key, attempts, window_start from login_attempts where key = any($1::text[]) order by key for update',
      [keys],
    );
    let wait = 0;
    for (const row of rows.rows) {
      const live = row.window_start > expiredBefore;
      if (live && row.attempts >= counters.find((c) => c.key === row.key)!.max) {
        wait = Math.max(wait, Math.ceil((row.window_start.getTime() + windowMs - now.getTime()) / 1000), 1);
      }
    }
    if (wait === 0) {
      await client.query(
        `update login_attempts set
           window_start = case when window_start <= $2 then $3 else window_start end,
           attempts = case when window_start <= $2 then 1 else attempts + 1 end
         where key = any($1::text[])`,
        [keys, expiredBefore, now],
      );
    }
    return wait;
  });
}

/**
 * A login within the failed-attempt limits: the session, `{retryAfter}` seconds while a limit holds (no password is
 * checked then, so a flood costs no argon2 runs), or null for a wrong login or password. The attempt is charged
 * before the password is checked; a successful one is given back (and clears its login+IP counter).
 */
export async function limitedLogin(db: pg.Pool,
  opts: { login: string; password: string; ip: string; ttlHours: number; limit: LoginLimit; now?: Date; hasher?: PasswordHasher }
): Promise<{ token: string; expiresAt: Date } | { retryAfter: number } | null> {
  const now = opts.now ?? new Date();
  const counters = attemptCounters(opts.login, opts.ip, opts.limit);
  const retryAfter = await chargeAttempt(db, counters, opts.limit, now);
  if (retryAfter > 0) return { retryAfter };
  const session = await login(db, opts.login, opts.password, opts.ttlHours, opts.hasher);
  const windowStart = new Date(now.getTime() - opts.limit.windowMinutes * 60_000);
  if (!session) {
    await db.query('delete from login_attempts where window_start <= $1', [windowStart]);
    return null;
  }
  const pair = counters.filter((c) => c.key.startsWith('pair:')).map((c) => c.key);
  const shared = counters.filter((c) => !c.key.startsWith('pair:')).map((c) => c.key);
  await db.query('update login_attempts set attempts = greatest(attempts - 1, 0) where key = any($1::text[])', [shared]);
  await db.query('delete from login_attempts where key = any($1::text[]) or window_start <= $2', [pair, windowStart]);
  return session;
}
