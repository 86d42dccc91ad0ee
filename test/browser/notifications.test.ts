/**
 * The desk's notification centre in chromium: a coordinator sees the notices of cases routed to the organization,
 * newest first and marked unread, reads one, brings it back, reads all, opens a case from a notice (which reads it);
 * chooses alert topics and asks for a Telegram code; the pages pass axe-core without serious or critical violations,
 * and dates print in the region's time zone.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruDateTime } from '../../lib/format.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { buildClassified } from '../integration/workflow-harness.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createOrg, createStaff, PASSWORD, staffPage } from './staff.js';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

describe('the notification centre in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  const cases: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    const org = await createOrg(system, admin, 'Администрация Железнодорожного района');
    await system.db.query('update organizations set training_confirmed = true, ready_confirmed = true where id = $1', [org]);
    const r = await call(system, '/api/v1/users', 'POST', admin, { login: 'nc-coordinator', password: PASSWORD, displayName: 'Координатор Орлова',
      email: 'orlova@krsk.example', roles: [{ role: 'coordinator', organizationId: org }] });
    expect(r.status).toBe(201);
    await createStaff(system, admin, 'nc-leader', 'Руководитель Белов', [{ role: 'leader', organizationId: org }]);
    await createStaff(system, admin, 'nc-moderator', 'Модератор', [{ role: 'moderator', organizationId: null }]);
    const moderator = await loginAs(system.url!, 'nc-moderator', PASSWORD);
    for (const text of ['Во дворе дома 3 по улице Ломоносова яма на проезде.', 'У дома 9 по улице Маерчака не горит фонарь.',
      'На остановке Дом быта сломана скамейка.'])
    {
      const input = buildClassified({ source: 'contact_center', text, receivedAt: new Date().toISOString() });
      await system.queues.classified.add('classified', input);
      const id = caseIdFor(input.message.messageId);
      await eventually(async () => (await call(system, `/api/v1/cases/${id}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
      expect((await call(system, `/api/v1/cases/${id}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: org })).status).toBe(200);
      cases.push(id);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('lists the notices, reads and unreads them, opens a case from one, and passes axe', async () => {
    const { page, errors, foreign } = await staffPage(browser, system, 'nc-coordinator');
    await page.goto(`${system.url}/desk`);
    await page.waitForSelector('body[data-notifications-ready="true"]');
    const centre = page.getByRole('region', { name: /Уведомления/ }).first();
    const items = page.locator('#notifications-list > li');
    expect(await items.count()).toBe(3);
    expect(await page.locator('#unread-badge').textContent()).toBe('новых: 3');
    // Newest first: the last routed case is on top, and every notice leads to its case.
    expect(await items.first().getByRole('link').getAttribute('href')).toBe(`/cases/${cases[2]}`);
    expect(await items.first().textContent()).toMatch(
      /НовоеНаправлено в организацию\d{1,2} [а-я]{3,4}\.? \d{4}, \d{2}:\d{2}Новое обращение № \d{4}-\d+ в организацию «Администрация Железнодорожного района»/,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'notifications-centre');

    await items.first().getByRole('button', { name: 'Отметить прочитанным' }).click();
    await page.waitForSelector('body[data-unread="2"]');
    expect(await items.first().getAttribute('class')).toBe('notification');
    await centre.getByLabel('Только непрочитанные').check();
    await eventually(async () => (await items.count()) === 2, 5_000, 'only unread');
    await centre.getByLabel('Только непрочитанные').uncheck();
    await eventually(async () => (await items.count()) === 3, 5_000, 'all again');
    await items.first().getByRole('button', { name: 'Отметить непрочитанным' }).click();
    await page.waitForSelector('body[data-unread="3"]');
    await page.getByRole('button', { name: 'Отметить все прочитанными' }).click();
    await page.waitForSelector('body[data-unread="0"]');
    expect(await page.locator('#notifications-status').textContent()).toBe('Отмечено прочитанными: 3.');

    // Opening a case from an unread notice reads it.
    await items.nth(1).getByRole('button', { name: 'Отметить непрочитанным' }).click();
    await page.waitForSelector('body[data-unread="1"]');
    await Promise.all([page.waitForURL(`**/cases/${cases[1]}`), items.nth(1).getByRole('link').click()]);
    await page.waitForSelector('body[data-case-status]');
    const unread = await call(system, '/api/v1/notifications?unread=true', 'GET', await loginAs(system.url!, 'nc-coordinator', PASSWORD));
    expect(unread.body.unread).toBe(0);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('lets the user choose channels and topics, gives a Telegram code, and passes axe', async () => {
    const { page, errors } = await staffPage(browser, system, 'nc-coordinator');
    await page.goto(`${system.url}/desk#alerts`);
    await page.waitForSelector('#alerts-form[data-ready="true"]');
    const form = page.locator('#alerts-form');
    expect(await form.getByLabel('Электронная почта (orlova@krsk.example)').isChecked()).toBe(true);
    expect(await form.getByLabel('Telegram — сначала привяжите чат кодом').isDisabled()).toBe(true);
    await form.getByLabel('До окончания срока 3 дня / 1 день').uncheck();
    await form.getByRole('button', { name: 'Сохранить' }).click();
    await eventually(async () => (await page.locator('#alerts-status').textContent()) === 'Настройки уведомлений сохранены.', 5_000, 'saved');
    const token = await loginAs(system.url!, 'nc-coordinator', PASSWORD);
    const saved = (await call(system, '/api/v1/me/alerts', 'GET', token)).body;
    expect(saved.topics.filter((t: { enabled: boolean }) => !t.enabled).map((t: { topic: string }) => t.topic)).toEqual(['deadline']);

    await page.getByRole('button', { name: 'Получить код для Telegram' }).click();
    await eventually(async () =>
      /Отправьте боту Отклика сообщение \/link [A-Z2-9]{8} до \d{1,2} [а-я]{3,4}\.? \d{4}, \d{2}:\d{2}\./
        .test((await page.locator('#telegram-code-text').textContent()) ?? ''), 5_000, 'code shown');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'notifications-alert-settings');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("prints dates in the region's zone whatever the browser's, and the activity panel passes axe", async () => {
    await createStaff(system, await adminToken(system), 'nc-region', 'Администратор региона', [{ role: 'administrator', organizationId: null }]);
    // A browser in Moscow: the desk still shows Krasnoyarsk time (the server names the region's zone).
    const context = await browser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
    const page = await context.newPage();
    await page.goto(`${system.url}/login?next=%2Factivity`);
    await page.getByLabel('Логин').fill('nc-region');
    await page.getByLabel('Пароль').fill(PASSWORD);
    await Promise.all([page.waitForURL('**/activity'), page.getByRole('button', { name: 'Войти' }).click()]);
    expect(await page.locator('html').getAttribute('data-tz')).toBe('Asia/Krasnoyarsk');
    await page.waitForSelector('body[data-activity-ready="true"]');
    // The coordinator has looked today: the organization is not idle, so it shows with every organization.
    expect(await page.locator('#activity-list').textContent()).toBe('Таких организаций нет.');
    await page.getByLabel('Только где никто не смотрит больше суток').uncheck();
    const row = page.locator('tr[data-organization]').first();
    expect(await row.textContent()).toContain('Администрация Железнодорожного района');
    const deadline = await system.db.query<{ deadline_at: Date }>('select deadline_at from cases where id = $1', [cases[0]]);
    // Russian dates as every page prints them (dashboard/format.ts): «4 янв. 2027, 23:59» in the region's zone.
    const local = ruDateTime(deadline.rows[0]!.deadline_at, 'Asia/Krasnoyarsk');
    expect(local.endsWith('23:59')).toBe(true);
    expect(await row.textContent()).toContain(local);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'activity-panel');
    await context.close();
  });
});
