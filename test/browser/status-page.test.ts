/**
 * The citizen's status page in chromium, opened from the link of a real e-mail notice: on a 390 px phone and on a
 * desktop, it reads without horizontal scrolling, passes axe with no serious or critical violation, and takes the
 * rating and the repeat-review request with the keyboard-and-finger controls a citizen has.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { guardNetwork, launchBrowser, screenshot } from './browser.js';

const SITE = 'https://www.krskstate.test';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

describe('the status page in chromium', () => {
  let smtp: SmtpSink;
  let system: Otklik;
  let browser: Browser;
  let link: string;

  const call = async (path: string, method: string, token: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, { method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    system = await startTestSystem({ SMTP_URL: smtp.url, WIDGET_ALLOWED_ORIGINS: SITE });
    browser = await launchBrowser();
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    const org =
      (await call('/api/v1/organizations', 'POST', admin, { name: 'Департамент городского хозяйства администрации города Красноярска', kind: 'omsu' })).body;
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};
    for (const [login, role, organizationId] of [['page-moderator', 'moderator', null], ['page-coordinator', 'coordinator', org.id], ['page-executor',
      'executor', org.id], ['page-leader', 'leader', org.id]] as const)
    {
      ids[role] =
        (await call('/api/v1/users', 'POST', admin, { login, password: 'a-long-password', displayName: login, roles: [{ role, organizationId }] })).body.id;
      tokens[role] = await loginAs(system.url!, login, 'a-long-password');
    }
    const res = await fetch(`${system.url}/api/v1/widget/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({ idempotencyKey: randomUUID(), org: 'dgh', category: 'Дороги', consent: true, email: 'citizen@mail.test', name: 'Анна Смирнова',
        text: 'На проспекте Мира напротив дома 94 большая яма на проезжей части, машины объезжают по встречной полосе.' }) });
    const caseId = caseIdFor(((await res.json()) as { messageId: string }).messageId);
    const registered = await eventually(async () => smtp.to('citizen@mail.test').find((m) => /зарегистрировано/.test(m.subject)), 20_000, 'registered mail');
    link = /https?:\/\/\S+\/status\/\S+/.exec(registered.text)![0];
    await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
    const steps: [string, string, Record<string, unknown>][] = [['accept', 'moderator', { organizationId: org.id }], ['assign', 'coordinator', {
      executorId: ids.executor,
    }], ['start', 'executor', {}], ['save-draft', 'executor', {
      text: 'Здравствуйте! Яма на проспекте Мира напротив дома 94 заделана 21 ноября литым асфальтом. ' +
        'Фотографии выполненных работ прилагаем. С уважением, департамент городского хозяйства.',
      attachments: [{ kind: 'photo', ref: 'https://files.krsk.test/mira-94-do.jpg' }, { kind: 'photo', ref: 'https://files.krsk.test/mira-94-posle.jpg' }],
    }], ['submit', 'executor', {}], ['approve', 'leader', {}]];
    for (const [action, role, body] of steps) {
      const version = (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.version;
      expect((await call(`/api/v1/cases/${caseId}/${action}`, 'POST', tokens[role]!, { expectedVersion: version, ...body })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await smtp?.close();
  });

  it("on a 390 px phone: the answer, then a low rating and a repeat review with the page's own forms", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ru-RU' });
    const page = await context.newPage();
    const foreign = guardNetwork(page, system.url!.replace('127.0.0.1', 'localhost'));
    await page.goto(link);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Обращение № \d{4}-\d{6}$/);
    expect(await page.locator('#case-status').textContent()).toBe('Дан ответ');
    expect(await page.locator('#answer-text').textContent()).toContain('заделана 21 ноября');
    expect(await page.locator('.attachments a').count()).toBe(2);
    expect(await page.locator('#stages li').count()).toBeGreaterThanOrEqual(4);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'status-page-390');

    await page.getByLabel('2 — плохо').check();
    await page.getByLabel('Комментарий (необязательно)').fill('Яму засыпали щебнем, он уже разъехался.');
    await page.getByRole('button', { name: 'Отправить оценку' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Ваша оценка принята');
    expect(await page.locator('#case-status').textContent()).toBe('Ответ оценён');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Попросить о повторном рассмотрении' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('направлено на повторное рассмотрение');
    expect(await page.locator('#case-status').textContent()).toBe('На повторном рассмотрении');
    expect(await page.locator('#rating-form').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'status-page-390-repeat');
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('on a desktop: readable, accessible, and a wrong key shows nothing of the case', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(link);
    expect(await page.locator('#case-status').textContent()).toBe('На повторном рассмотрении');
    expect(await page.locator('body').textContent()).not.toContain('Анна Смирнова');
    expect(await page.locator('body').textContent()).not.toContain('citizen@mail.test');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'status-page-desktop');
    const wrong = new URL(link);
    wrong.searchParams.set('token', 'A'.repeat(32));
    const res = await page.goto(wrong.toString());
    expect(res!.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Обращение не найдено');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
