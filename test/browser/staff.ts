/** Helpers of the staff browser tests: staff made through the real admin API, and logging in through the form. */
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Otklik } from '../../main.js';
import { loginAs } from '../support.js';
import { guardNetwork } from './browser.js';

export async function call(system: Otklik, path: string, method: string, token: string, body?: unknown) {
  const res = await fetch(`${system.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

export const PASSWORD = 'a-long-password-1';

export async function createOrg(system: Otklik, admin: string, name: string, parentId?: string, kind = 'omsu'): Promise<string> {
  const r = await call(system, '/api/v1/organizations', 'POST', admin, { name, kind, ...(parentId ? { parentId } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

export async function createStaff(system: Otklik, admin: string, login: string, displayName: string,
  roles: { role: string; organizationId: string | null }[]): Promise<string>
{
  const r = await call(system, '/api/v1/users', 'POST', admin, { login, password: PASSWORD, displayName, roles });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

export const adminToken = (system: Otklik) => loginAs(system.url!, 'admin', 'test-admin-password');

/** A fresh browser context (own cookies) at 1366×768, logged in through the login form. */
export async function staffPage(browser: Browser, system: Otklik, login: string,
  opts: { next?: string; viewport?: { width: number; height: number } } = {}): Promise<{ page: Page; foreign: string[]; errors: string[] }>
{
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1366, height: 768 }, locale: 'ru-RU', timezoneId: 'Asia/Krasnoyarsk' });
  const page = await context.newPage();
  const foreign = guardNetwork(page, system.url!);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${system.url}/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ''}`);
  await page.getByLabel('Логин').fill(login);
  await page.getByLabel('Пароль').fill(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Войти' }).click()]);
  return { page, foreign, errors };
}
