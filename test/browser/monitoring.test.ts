/**
 * The monitoring operator's main path in chromium: a VK post arrives while the inbox is open, the operator
 * corrects its category, accepts it and routes it to the monitoring team's organization, writes the public reply
 * and approves it; the reply is published under the post on (fake) VK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { messageIdFor } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { buildVkCallback, buildVkPost } from '../fakes/payloads.js';
import { eventually, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, createOrg, createStaff, staffPage } from './staff.js';

describe('monitoring team in chromium', () => {
  let vk: FakeVk;
  let system: Otklik;
  let browser: Browser;
  let orgId: string;
  let caseId: string;

  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token'] });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: '111:conf-111', VK_CALLBACK_SECRET: 'cb-secret', VK_GROUP_IDS: '111', VK_GROUP_TOKEN: 'group-token',
      VK_API_BASE_URL: vk.apiBaseUrl,
    });
    browser = await launchBrowser();
    const admin = await adminToken(system);
    orgId = await createOrg(system, admin, 'ЦУР Красноярского края', undefined, 'region');
    await createOrg(system, admin, 'Администрация Советского района');
    await createStaff(system, admin, 'cur-operator', 'Оператор ЦУР Иванова', [
      { role: 'moderator', organizationId: null }, { role: 'coordinator', organizationId: orgId }, { role: 'leader', organizationId: orgId }]);
    // ПОС's two responsible people: the operator is not alone in the team, its head is a leader too.
    await createStaff(system, admin, 'cur-head', 'Руководитель ЦУР Петров', [{ role: 'leader', organizationId: orgId }]);
    // The operator's organization has already confirmed readiness: the dialog is the desk test's subject.
    await system.db.query('update organizations set training_confirmed = true, ready_confirmed = true where id = $1', [orgId]);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await vk?.close();
  });

  it('sees a VK post arrive live, corrects its category and routes it', async () => {
    const { page, foreign, errors } = await staffPage(browser, system, 'cur-operator');
    expect(new URL(page.url()).pathname).toBe('/inbox');
    await page.waitForSelector('body[data-inbox-ready="true"]');

    // The post arrives after the page loaded: the list picks it up without a reload.
    const post = buildVkPost({ id: 7301, owner_id: -111, text: 'На улице Молокова вторую неделю не вывозят мусор, <b>контейнеры</b> переполнены, крысы!' });
    const hook = await fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildVkCallback('wall_post_new', post, { secret: 'cb-secret' })) });
    expect(hook.status).toBe(200);
    caseId = caseIdFor(messageIdFor('vk', 'wall-111_7301'));
    const item = page.locator(`article[data-case="${caseId}"]`);
    await item.waitFor({ timeout: 30_000 });
    // Hostile markup in the citizen's text is shown as text, and the problem words are highlighted.
    await expect.poll(() => item.locator('p.text').textContent()).toContain('<b>контейнеры</b>');
    expect(await item.locator('p.text b').count()).toBe(0);
    expect(await item.locator('mark').allTextContents()).toContain('не вывозят');
    expect(await item.locator('.src').getAttribute('aria-label')).toBe('Источник: ВКонтакте');
    expect(await item.locator('a.orig').getAttribute('href')).toBe('https://vk.com/wall-111_7301');
    await screenshot(page, 'monitoring-inbox');

    // Correct the category (kept as a training correction).
    await item.getByLabel('Исправленная категория').fill('Вывоз мусора');
    await item.getByRole('button', { name: 'Исправить категорию' }).click();
    await expect.poll(() => page.locator(`article[data-case="${caseId}"] .cat`).textContent(), { timeout: 15_000 }).toContain('Вывоз мусора');
    const corrections = await system.db.query('select field, label from classification_corrections where case_id = $1', [caseId]);
    expect(corrections.rows).toEqual([{ field: 'category', label: 'Вывоз мусора' }]);

    // Keyboard: j moves the selection, "a" focuses the routing select of the selected item.
    await page.locator('body').press('a');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`org-${caseId}`);
    await page.locator(`#org-${caseId}`).selectOption({ label: 'ЦУР Красноярского края' });
    await page.locator(`article[data-case="${caseId}"]`).getByRole('button', { name: 'Принять и направить' }).click();
    await page.locator(`article[data-case="${caseId}"]`).waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.locator('#inbox-status').textContent()).toContain('принято и направлено');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('writes and approves the public reply, which is published under the post', async () => {
    // The operator is also coordinator and leader of the monitoring team: answers personally and approves.
    const { page, foreign, errors } = await staffPage(browser, system, 'cur-operator', { next: `/cases/${caseId}` });
    await page.waitForSelector('body[data-case-status="routed"]');
    expect(await page.locator('#message-text').textContent()).toContain('<b>контейнеры</b>');
    await page.getByRole('button', { name: 'Взять в работу лично' }).click();
    await page.waitForSelector('body[data-case-status="in_progress"]');
    const answer = 'Здравствуйте! Контейнерная площадка на улице Молокова очищена 25 ноября, вывоз мусора организован ежедневно. ' +
      'Фото прилагаем. Телефон диспетчерской: 8 (391) 200-00-00. С уважением, ЦУР Красноярского края.';
    await page.getByLabel('Текст ответа').fill('Ответ будет позже.');
    // The quality check runs while typing: a formal non-answer without measures is flagged before saving.
    await page.locator('#save-draft-warnings li').first().waitFor();
    await page.getByLabel('Текст ответа').fill(answer);
    await page.getByLabel('Вложения (фото и видео выполненных работ)').fill('photo photo-111_99');
    await page.getByRole('button', { name: 'Сохранить черновик' }).click();
    await page.waitForSelector('body[data-case-status="draft"]');
    await page.getByRole('button', { name: 'Отправить на утверждение' }).click();
    await page.waitForSelector('body[data-case-status="on_approval"]');
    await screenshot(page, 'monitoring-case-approval');
    await page.getByRole('button', { name: 'Утвердить и отправить ответ' }).click();
    await page.waitForFunction(() => ['approved', 'answered'].includes(document.body.dataset.caseStatus ?? ''));

    const replied = await eventually(async () => vk.comments.find((c) => c.message.includes('Контейнерная площадка на улице Молокова')), 20_000, 'reply on VK');
    expect(replied).toMatchObject({ ownerId: -111, postId: 7301 });
    await page.reload();
    await page.waitForSelector('body[data-case-status="answered"]', { timeout: 20_000 });
    expect(await page.locator('table.history').textContent()).toContain('Исправлена категория');
    await screenshot(page, 'monitoring-case-answered');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
