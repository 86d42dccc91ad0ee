import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { guardNetwork, launchBrowser, screenshot } from './browser.js';

describe('home page in chromium', () => {
  let system: Otklik;
  let browser: Browser;

  beforeAll(async () => {
    system = await startTestSystem();
    browser = await launchBrowser();
    for (const [i, text] of ['Нет горячей воды в доме на улице Мира', 'Яма на дороге у остановки', 'Не вывозят мусор из контейнеров во дворе'].entries()) {
      const body = JSON.stringify({ callId: `home-${i}`, receivedAt: new Date().toISOString(), text });
      await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
    }
    await eventually(async () => {
      const s = (await (await fetch(`${system.url}/api/v1/analytics/summary`)).json()) as { bySource: { count: number }[] };
      return s.bySource[0]?.count === 3;
    }, 15_000, 'three messages counted');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('renders the Russian overview with ECharts charts of categories and sources', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const foreign = guardNetwork(page, system.url!);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${system.url}/`);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.locator('h1').textContent()).toBe('Обзор обращений граждан');
    expect(await page.locator('#total').textContent()).toBe('3');
    // ECharts draws SVG: bars for categories and a pie for sources.
    expect(await page.locator('#chart-category svg path').count()).toBeGreaterThan(2);
    expect(await page.locator('#chart-source svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-category svg').textContent()).toContain('ЖКХ');
    await screenshot(page, 'home');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it("links «Сообщить о проблеме» to the region's appeal channels, the widget sites set by the administrator among them", async () => {
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    const set = await fetch(`${system.url}/api/v1/settings/channels`, { method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { 'widget.allowedOrigins': ['https://www.krskstate.test', '*'] } }) });
    expect(set.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    const foreign = guardNetwork(page, system.url!);
    await page.goto(`${system.url}/`);
    await Promise.all([page.waitForURL((u) => u.pathname === '/problem'), page.getByRole('link', { name: 'Сообщить о проблеме' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Сообщить о проблеме');
    expect(await page.getByRole('link', { name: '122' }).getAttribute('href')).toBe('tel:122');
    await eventually(async () => {
      await page.reload();
      return (await page.getByRole('link', { name: 'www.krskstate.test' }).count()) === 1;
    }, 10_000, 'the widget site listed');
    expect(await page.getByRole('link', { name: 'www.krskstate.test' }).getAttribute('href')).toBe('https://www.krskstate.test');
    expect(await page.locator('main, body').first().textContent()).not.toContain('*');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'report-problem');
    expect(foreign).toEqual([]);
    await page.close();
  });
});
