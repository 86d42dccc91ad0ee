/**
 * Browser sessions: a login form whose token lives only in an HttpOnly, SameSite=Strict cookie, and the guard of
 * staff pages. The token checks themselves belong to the workflow; main.ts hands them in as plain functions.
 */
import { readCookie } from '../lib/cookies.js';
import { findNul } from '../lib/nul.js';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { escapeHtml, layout } from './html.js';

export const SESSION_COOKIE = 'otklik_token';

export interface PageUser {
  id: string;
  login: string;
  displayName: string;
  roles: { role: string; organizationId: string | null }[];
}

export type LoginOutcome = { token: string; expiresAt: Date } | { retryAfter: number } | null;

export interface SessionDeps {
  login(login: string, password: string, ip: string): Promise<LoginOutcome>;
  logout(token: string): Promise<void>;
  userForToken(token: string): Promise<PageUser | null>;
}

declare module 'express-serve-static-core' {
  interface Locals {
    pageUser?: PageUser;
  }
}

/** Kept under the name the pages use; the parser is shared with the API's auth. */
export const cookieValue = readCookie;

/** Only local paths: `next` must never send a freshly logged-in user to another site. */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : undefined;
}

export function homeFor(user: PageUser): string {
  const roles = new Set(user.roles.map((r) => r.role));
  if (roles.has('moderator')) return '/inbox';
  if (['coordinator', 'executor', 'leader', 'curator'].some((r) => roles.has(r))) return '/desk';
  if (roles.has('administrator')) return '/admin';
  return '/analytics';
}

/** Staff pages: a valid session cookie or a redirect to the login form. */
export function requirePage(deps: SessionDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = cookieValue(req, SESSION_COOKIE);
    const user = token ? await deps.userForToken(token) : null;
    if (!user) return void res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    res.locals.pageUser = user;
    next();
  };
}

function loginPage(opts: { next?: string; error?: string; login?: string }): string {
  return layout({
    title: 'Вход',
    body: `
<section class="card narrow">
<h1>Вход для сотрудников</h1>
${opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<form method="post" action="/login" class="form">
  ${opts.next ? `<input type="hidden" name="next" value="${escapeHtml(opts.next)}">` : ''}
  <label for="login">Логин</label>
  <input id="login" name="login" autocomplete="username" required value="${escapeHtml(opts.login ?? '')}">
  <label for="password">Пароль</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" class="primary">Войти</button>
</form>
</section>`,
  });
}

export function createSessionRouter(deps: SessionDeps & { secureCookie?: boolean }): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  router.get('/login', (req, res) => {
    res.type('html').send(loginPage({ next: safeNext(req.query.next) }));
  });

  router.post('/login', form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const login = typeof body.login === 'string' ? body.login.trim().slice(0, 200) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 500) : '';
    const next = safeNext(body.next);
    if (!login || !password) return void res.status(400).type('html').send(loginPage({ next, login, error: 'Введите логин и пароль.' }));
    if (findNul(body, 'form')) return void res.status(400).type('html').send(loginPage({ next, error: 'Логин и пароль не могут содержать нулевой символ.' }));
    const outcome = await deps.login(login, password, req.ip ?? 'unknown');
    if (!outcome) return void res.status(401).type('html').send(loginPage({ next, login, error: 'Неверный логин или пароль.' }));
    if ('retryAfter' in outcome) {
      res.setHeader('retry-after', String(outcome.retryAfter));
      return void res.status(429).type('html').send(
        loginPage({ next, login, error: `Слишком много неудачных попыток. Повторите через ${outcome.retryAfter} с.` }),
      );
    }
    res.cookie(SESSION_COOKIE, outcome.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookie ?? false,
      path: '/',
      expires: outcome.expiresAt,
    });
    const user = await deps.userForToken(outcome.token);
    res.redirect(303, next ?? (user ? homeFor(user) : '/desk'));
  });

  router.post('/logout', form, async (req, res) => {
    // A cross-site form could log a user out; SameSite=Strict keeps the cookie off such requests anyway.
    const token = cookieValue(req, SESSION_COOKIE);
    if (token) await deps.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });
  return router;
}
