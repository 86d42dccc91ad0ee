/**
 * The queue board (/admin/queues, Bull Board) as the region administrator opens it (issue #21, section 4): its page
 * linked a web font from a font CDN, which the CSP refused with an error in the console on every visit. The board
 * now loads nothing but its own assets, and draws its queues.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Otklik } from '../../main.js';
import { startTestSystem } from '../support.js';
import { guardNetwork, launchBrowser, screenshot } from './browser.js';

describe('the queue board in chromium', () => {
  let system: Otklik;
  let browser: Browser;

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'dashboard']);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('opens for the region administrator without a CSP refusal or a request beyond the server', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    const foreign = guardNetwork(page, system.url!);
    const logged: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') logged.push(m.text());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${system.url}/login?next=${encodeURIComponent('/admin/queues')}`);
    await page.getByLabel('Логин').fill('admin');
    await page.getByLabel('Пароль').fill('test-admin-password');
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/admin/queues')), page.getByRole('button', { name: 'Войти' }).click()]);
    // The board draws its queues from its own API: the page is alive, not just served.
    await page.getByText('incoming', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.waitForLoadState('networkidle');
    expect(await page.title()).toContain('Отклик — очереди');
    await screenshot(page, 'queue-board');
    expect(logged.filter((m) => /Content Security Policy|font/i.test(m))).toEqual([]);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
