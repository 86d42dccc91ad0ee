/**
 * Every page, public and staff (logged in as each role), checked in chromium by axe-core: no violation of impact
 * serious or critical. The citizens' pages (the polls, the widget on a host site) are usable at 390 px without
 * horizontal scrolling.
 */
import http from 'node:http';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { launchBrowser } from './browser.js';
import { adminToken, call, createOrg, createStaff, PASSWORD, staffPage } from './staff.js';

/** The serious and critical violations on the page as it is now, described for the failure message. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function hostSite(body: () => string) {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }) };
}

describe("accessibility of every page (axe-core) and citizens' pages on a phone", () => {
  let system: Otklik;
  let browser: Browser;
  let caseId: string;
  let pollId: string;
  let site: Awaited<ReturnType<typeof hostSite>>;

  beforeAll(async () => {
    let otklik = '';
    let poll = '';
    site = await hostSite(() =>
      `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Администрация города</title></head><body><main><h1>Обратная связь</h1><script src="${otklik}/widget.js"></script>
      <h2>Голосование</h2><script src="${otklik}/widget.js" data-poll="${poll}"></script></main></body></html>`
    );
    system = await startTestSystem({ WIDGET_ALLOWED_ORIGINS: site.origin }, ['ingest', 'classify', 'workflow', 'analytics', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    const org = await createOrg(system, admin, 'Администрация Ленинского района');
    const city = await createOrg(system, admin, 'Администрация города');
    await call(system, `/api/v1/organizations/${org}`, 'PATCH', admin, { trainingConfirmed: true, readyConfirmed: true, parentId: city });
    await createStaff(system, admin, 'a11y.moderator', 'Модератор', [{ role: 'moderator', organizationId: null }]);
    for (const role of ['coordinator', 'executor', 'leader', 'curator']) {
      await createStaff(system, admin, `a11y.${role}`, `Сотрудник (${role})`, [{ role, organizationId: org }]);
    }
    await createStaff(system, admin, 'a11y.orgadmin', 'Администратор района', [{ role: 'administrator', organizationId: org }]);
    const card = JSON.stringify({ callId: 'a11y-1', receivedAt: new Date().toISOString(), text: 'Во дворе дома по улице Ленина, 12 яма на проезде.',
      municipality: 'город Красноярск' });
    const posted = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', card) }, body: card });
    caseId = caseIdFor(((await posted.json()) as { messageId: string }).messageId);
    const moderator = await loginAs(system.url!, 'a11y.moderator', PASSWORD);
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
    expect((await call(system, `/api/v1/cases/${caseId}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: org })).status).toBe(200);
    const created = await call(system, '/api/v1/polls', 'POST', admin, { title: 'Какой сквер благоустроить?',
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      questions: [{ kind: 'single', text: 'Выберите сквер', options: ['Сквер Победы', 'Сквер у вокзала'] }, { kind: 'scale', text: 'Оцените благоустройство',
        scaleMin: 1, scaleMax: 5 }] });
    pollId = created.body.id;
    for (const to of ['published', 'open']) expect((await call(system, `/api/v1/polls/${pollId}/status`, 'POST', admin, { to })).status).toBe(200);
    otklik = system.url!;
    poll = pollId;
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await site?.close();
  });

  it('has no serious or critical violation on the public pages', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    for (const path of ['/', '/problem', '/login', '/polls', `/polls/${pollId}`, `/polls/${pollId}/results`, '/no/such/page']) {
      await page.goto(`${system.url}${path}`);
      await page.waitForLoadState('networkidle');
      const v = await seriousViolations(page);
      if (v.length) found[path] = v;
    }
    expect(found).toEqual({});
    await context.close();
  });

  const ROLE_PAGES: Record<string, string[]> = {
    admin: ['/admin/organizations', '/admin/staff', '/admin/channels', '/admin/region', '/admin/polls', '/admin/audit', '/routing', '/analytics',
      '/report/weekly', '/cases', '/activity'],
    'a11y.orgadmin': ['/admin/organizations', '/admin/staff', '/admin/audit'],
    'a11y.moderator': ['/inbox', '/inbox?view=appeals', '/cases', 'CASE', '/analytics'],
    'a11y.coordinator': ['/desk', 'CASE'],
    'a11y.executor': ['/desk'],
    'a11y.leader': ['/desk', 'CASE'],
    'a11y.curator': ['/desk', '/cases'],
  };

  it('has no serious or critical violation on any staff page, for each role', async () => {
    const found: Record<string, string[]> = {};
    for (const [login, paths] of Object.entries(ROLE_PAGES)) {
      const { page } = login === 'admin' ? await adminSession() : await staffPage(browser, system, login);
      for (const p of paths) {
        const path = p === 'CASE' ? `/cases/${caseId}` : p;
        await page.goto(`${system.url}${path}`);
        await page.waitForLoadState('networkidle');
        // The readiness dialog of ПОС is modal: checked as it is shown, then closed to check the page under it.
        const v = await seriousViolations(page);
        if (v.length) found[`${login} ${path}`] = v;
      }
      await page.context().close();
    }
    expect(found).toEqual({});
  }, 300_000);

  async function adminSession() {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${system.url}/login`);
    await page.getByLabel('Логин').fill('admin');
    await page.getByLabel('Пароль').fill('test-admin-password');
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Войти' }).click()]);
    return { page };
  }

  it("fits citizens' pages and the widget into 390 px without horizontal scrolling, and the widget passes axe", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
    const page = await context.newPage();
    const wide: Record<string, number> = {};
    for (const url of [`${system.url}/`, `${system.url}/polls`, `${system.url}/polls/${pollId}`, `${system.url}/polls/${pollId}/results`, site.origin]) {
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 1) wide[url] = overflow;
    }
    expect(wide).toEqual({});
    // The widget's own markup on the host site (its forms, in both modes) has nothing serious either.
    await page.waitForSelector('.otklik-poll fieldset');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
