/**
 * A moderator marks a case fast-track by hand on its page in chromium, with a reason that goes to the case log, and
 * takes the mark back; the term shortens and comes back; staff who are not moderators see no such form; the page
 * passes axe-core without serious or critical violations.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { buildClassified } from '../integration/workflow-harness.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createStaff, PASSWORD, staffPage } from './staff.js';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

describe('the manual fast-track mark on the case page in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  let caseId: string;

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    await createStaff(system, admin, 'ft-moderator', 'Модератор Кузнецова', [{ role: 'moderator', organizationId: null }]);
    await createStaff(system, admin, 'ft-admin', 'Администратор региона', [{ role: 'administrator', organizationId: null }]);
    const moderator = await loginAs(system.url!, 'ft-moderator', PASSWORD);
    const input = buildClassified({ source: 'contact_center', text: 'Во дворе дома 5 по улице Мира третий день не убирают мусор.',
      receivedAt: new Date().toISOString() });
    await system.queues.classified.add('classified', input);
    caseId = caseIdFor(input.message.messageId);
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  const term = async () => (await system.db.query('select fast_track, deadline_days, deadline_rule, version from cases where id = $1', [caseId])).rows[0];

  it('marks the case fast-track with a reason, shows it in the log, and takes the mark back', async () => {
    const before = await term();
    expect(before).toMatchObject({ fast_track: false, deadline_days: 30 });
    const { page, errors, foreign } = await staffPage(browser, system, 'ft-moderator', { next: `/cases/${caseId}` });
    await page.waitForSelector('body[data-case-status="moderation"]');
    const mark = page.getByRole('button', { name: 'Отметить как фаст-трек' });
    await mark.waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // No reason: nothing is sent, the moderator is told why.
    await mark.click();
    await expect.poll(() => page.locator('#action-status').textContent()).toBe('Укажите причину (не короче трёх символов).');
    expect((await term()).version).toBe(before.version);

    await page.getByLabel('Причина (попадёт в журнал обращения)').fill('Угроза здоровью: мусор у детской площадки');
    await mark.click();
    await page.getByRole('button', { name: 'Снять отметку фаст-трека' }).waitFor();
    const marked = await term();
    expect(marked).toMatchObject({ fast_track: true, deadline_rule: 'fast-track:manual', version: before.version + 1 });
    expect(marked.deadline_days).toBeLessThan(30);
    expect(await page.locator('#action-status').textContent()).toMatch(/^Обращение отмечено как фаст-трек\. Срок ответа — \d{1,2} [а-я]{3,4}\.? \d{4}$/);
    expect(await page.locator('.case-head').textContent()).toContain('Быстрая задача');
    const logRow = page.locator('table.history tr', { hasText: 'Отмечено как фаст-трек' });
    expect(await logRow.textContent()).toContain('Модератор Кузнецова');
    expect(await logRow.textContent()).toContain('Модератор отметил обращение как фаст-трек: Угроза здоровью: мусор у детской площадки');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'case-fast-track');

    await page.getByLabel('Причина (попадёт в журнал обращения)').fill('Ошибочная отметка');
    await page.getByRole('button', { name: 'Снять отметку фаст-трека' }).click();
    await mark.waitFor();
    expect(await term()).toMatchObject({ fast_track: false, deadline_days: 30, version: before.version + 2 });
    expect(await page.locator('table.history tr', { hasText: 'Снята отметка фаст-трека' }).textContent()).toContain('Ошибочная отметка');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('shows no fast-track form to staff who are not moderators', async () => {
    const { page, errors } = await staffPage(browser, system, 'ft-admin', { next: `/cases/${caseId}` });
    await page.waitForSelector('body[data-case-status="moderation"]');
    expect(await page.locator('#fast-track-reason').count()).toBe(0);
    expect(await page.locator('button[data-action="fast-track"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
