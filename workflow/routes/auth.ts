/** Logging in and out with a bearer token; failed logins are limited per login and address. */
import { z } from 'zod';
import { clearLoginFailures, login, loginKey, loginRetryAfter, logout, readCookie, recordLoginFailure, SESSION_COOKIE } from '../auth.js';
import { HttpError, type ApiBuilder } from '../http-kit.js';
import type { RouteDeps } from './common.js';

const loginBody = z.object({ login: z.string().min(1).max(200), password: z.string().min(1).max(500) });

export function registerAuthRoutes(api: ApiBuilder, { db, now, tokenTtlHours, loginLimit }: RouteDeps): void {
  api.route({ method: 'post', path: '/api/v1/auth/login', tag: 'auth', auth: false, summary: 'Log in; returns a bearer token that expires. Failed attempts are limited per login and IP.',
    body: loginBody, response: z.object({ token: z.string(), expiresAt: z.string() }) }, async ({ body, req }) => {
    const key = loginKey(body.login, req.ip ?? 'unknown');
    const retry = await loginRetryAfter(db, key, loginLimit, now());
    if (retry > 0) {
      return { status: 429, headers: { 'retry-after': String(retry) }, body: { error: `too many failed logins: try again in ${retry} s` } };
    }
    const session = await login(db, body.login, body.password, tokenTtlHours);
    if (!session) {
      await recordLoginFailure(db, key, now(), loginLimit);
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
}
