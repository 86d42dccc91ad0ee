/**
 * Login limits counted atomically (per login and IP, per IP, per login) before any password is checked, and password
 * changes that end the user's sessions. argon2 runs are counted through an injected hasher, never timed.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrate } from '../../db/migrate.js';
import { ensureAdmin, limitedLogin, setPassword, userForToken, type LoginLimit, type PasswordHasher } from '../../workflow/auth.js';
import { createTestDatabase } from '../support.js';
import { api, createUser, startWorkflowHarness, testClock, type Harness } from './workflow-harness.js';

/** A hasher that counts verifications (each one is an argon2 run in production). */
function countingHasher(): PasswordHasher & { verifications: number } {
  const digest = (p: string) => `test$${createHash('sha256').update(p).digest('hex')}`;
  const h = {
    verifications: 0,
    hash: async (p: string) => digest(p),
    verify: async (stored: string, p: string) => {
      h.verifications++;
      return stored === digest(p);
    },
  };
  return h;
}

describe('login limits', () => {
  let db: pg.Pool;
  const limit: LoginLimit = { maxFailures: 5, windowMinutes: 15, ipMaxFailures: 20, accountMaxFailures: 50 };
  const now = new Date('2026-11-20T10:00:00Z');
  let hasher: ReturnType<typeof countingHasher>;

  beforeAll(async () => {
    db = new pg.Pool({ connectionString: await createTestDatabase('auth'), max: 30 });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.end();
  });

  const addUser = async (login: string, password: string) => {
    const r = await db.query<{ id: string }>('insert into users (login, password_hash) values ($1, $2) returning id', [login, await hasher.hash(password)]);
    return r.rows[0]!.id;
  };
  const attempt = (login: string, password: string, ip: string, at = now) => limitedLogin(db, { login, password, ip, ttlHours: 1, limit, now: at, hasher });

  it('lets 5 of 60 parallel wrong passwords for one login be checked, and refuses the rest without a check', async () => {
    hasher = countingHasher();
    await addUser('parallel', 'right-password');
    const results = await Promise.all(Array.from({ length: 60 }, () => attempt('parallel', 'wrong-password', '198.51.100.7')));
    expect(hasher.verifications).toBe(5);
    expect(results.filter((r) => r === null)).toHaveLength(5);
    expect(results.filter((r) => r && 'retryAfter' in r)).toHaveLength(55);
    // Even the right password waits for the window now, from that address…
    expect(await attempt('parallel', 'right-password', '198.51.100.7')).toEqual({ retryAfter: 900 });
    // …but not from another address (a colleague is not locked out), nor after the window.
    expect(await attempt('parallel', 'right-password', '198.51.100.8')).toHaveProperty('token');
    expect(await attempt('parallel', 'right-password', '198.51.100.7', new Date(now.getTime() + 15 * 60_000 + 1))).toHaveProperty('token');
  });

  it('costs at most the per-IP limit of argon2 runs for 200 unknown logins from one address', async () => {
    hasher = countingHasher();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(`nobody-${i}`, 'guess', '203.0.113.9')));
    expect(hasher.verifications).toBe(20);
    expect(results.filter((r) => r === null)).toHaveLength(20);
    expect(results.filter((r) => r && 'retryAfter' in r)).toHaveLength(180);
    // A known login from that address is refused the same way: the limit does not tell which logins exist.
    await addUser('known-here', 'right-password');
    expect(await attempt('known-here', 'right-password', '203.0.113.9')).toEqual({ retryAfter: 900 });
    expect(hasher.verifications).toBe(20);
  });

  it('limits one login across many addresses with the larger per-login limit', async () => {
    hasher = countingHasher();
    await addUser('distributed', 'right-password');
    const results = await Promise.all(Array.from({ length: 80 }, (_, i) => attempt('distributed', 'wrong', `192.0.2.${i + 1}`)));
    expect(hasher.verifications).toBe(50);
    expect(results.filter((r) => r && 'retryAfter' in r)).toHaveLength(30);
  });

  it('gives a successful attempt back: a user who mistypes now and then is never locked out', async () => {
    hasher = countingHasher();
    await addUser('typo', 'right-password');
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) expect(await attempt('typo', 'wrong', '198.51.100.20')).toBeNull();
      expect(await attempt('typo', 'right-password', '198.51.100.20')).toHaveProperty('token');
    }
  });
});

describe('password changes end sessions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startWorkflowHarness({ clock: testClock('2026-11-20T10:00:00Z') });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('setPassword revokes every session of the user', async () => {
    const user = await createUser(h, 'changing', []);
    expect(await userForToken(h.db, user.token)).not.toBeNull();
    expect(await setPassword(h.db, user.id, 'a-new-long-password')).toBe(true);
    expect(await userForToken(h.db, user.token)).toBeNull();
  });

  it('a new password through PATCH /users/:id logs the user out everywhere, and the new one works', async () => {
    const a = api(h);
    const admin = (await a.post('/api/v1/auth/login', { login: 'admin', password: 'test-admin-password' })).body.token as string;
    const user = await createUser(h, 'patched', []);
    const second = (await a.post('/api/v1/auth/login', { login: 'patched', password: 'correct-horse-battery' })).body.token as string;
    expect((await a.send('PATCH', `/api/v1/users/${user.id}`, { password: 'another-long-password' }, admin)).status).toBe(200);
    for (const token of [user.token, second]) expect((await a.get('/api/v1/me', token)).status).toBe(401);
    expect((await a.get('/api/v1/me', admin)).status).toBe(200);
    expect((await a.post('/api/v1/auth/login', { login: 'patched', password: 'another-long-password' })).status).toBe(200);
  });

  it("a changed OTKLIK_ADMIN_PASSWORD (ensureAdmin at start) ends the administrator's sessions", async () => {
    const a = api(h);
    const admin = (await a.post('/api/v1/auth/login', { login: 'admin', password: 'test-admin-password' })).body.token as string;
    await ensureAdmin(h.db, 'admin', 'test-admin-password');
    expect((await a.get('/api/v1/me', admin)).status).toBe(200);
    await ensureAdmin(h.db, 'admin', 'rotated-admin-password');
    expect((await a.get('/api/v1/me', admin)).status).toBe(401);
    expect((await a.post('/api/v1/auth/login', { login: 'admin', password: 'rotated-admin-password' })).status).toBe(200);
    await ensureAdmin(h.db, 'admin', 'test-admin-password');
  });

  it('answers 60 parallel wrong passwords over HTTP with at most 5 checks (401) and 429 for the rest', async () => {
    await createUser(h, 'http-target', []);
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => (await api(h).post('/api/v1/auth/login', { login: 'http-target', password: 'wrong-password' })).status),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(55);
  });
});
