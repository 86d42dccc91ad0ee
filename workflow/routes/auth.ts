/** Logging in and out with a bearer token; failed logins are limited per login and address, per address and per login. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { limitedLogin, logout, readCookie, SESSION_COOKIE } from '../auth.js';
import type { RouteDeps } from './common.js';
import { okAnswer, timestamp } from './responses.js';

const loginBody = z.object({ login: z.string().min(1).max(200), password: z.string().min(1).max(500) });

export function registerAuthRoutes(api: ApiBuilder, { db, now, tokenTtlHours, loginLimit }: RouteDeps): void {
  api.route({ method: 'post', path: '/api/v1/auth/login', tag: 'auth', auth: false,
    summary: 'Log in; returns a bearer token that expires. Failed attempts are limited per login and IP, per IP and per login.', body: loginBody,
    response: z.object({ token: z.string(), expiresAt: timestamp }),
    errors: { 401: 'Wrong login or password', 429: 'Too many failed attempts for this login or address' } }, async ({ body, req }) => {
    const session = await limitedLogin(db, { login: body.login, password: body.password, ip: req.ip ?? 'unknown', ttlHours: tokenTtlHours, limit: loginLimit,
      now: now() });
    if (session && 'retryAfter' in session) {
      throw new HttpError(429, `too many failed logins: try again in ${session.retryAfter} s`, { retryAfter: session.retryAfter });
    }
    if (!session) throw new HttpError(401, 'wrong login or password');
    return { body: { token: session.token, expiresAt: session.expiresAt.toISOString() } };
  });

  api.route({ method: 'post', path: '/api/v1/auth/logout', tag: 'auth', summary: "End this token's session.", response: okAnswer, errors: [] },
    async ({ req }) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? readCookie(req, SESSION_COOKIE);
      if (token) await logout(db, token);
      return { body: { ok: true } };
    });
}
