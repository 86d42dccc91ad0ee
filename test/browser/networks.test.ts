/**
 * The networks added after VK and Telegram in chromium: a message in a MAX group chat arrives by the MAX webhook
 * while the monitoring inbox is open, shows as a signal with its source, and the source filter keeps it and only
 * it; the message to the Одноклассники group is an appeal and waits in the appeals view under its own label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { messageIdFor } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeMax, type FakeMax } from '../fakes/fake-max.js';
import { maxChatMessage, maxMessageCreated, okGroupMessage } from '../fakes/payloads.js';
import { startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, createStaff, staffPage } from './staff.js';

const OK_SECRET = 'ok-browser-secret-0123456789';

describe('MAX and Одноклассники in the monitoring inbox', () => {
  let max: FakeMax;
  let system: Otklik;
  let browser: Browser;

  beforeAll(async () => {
    max = await startFakeMax({ token: 'max-browser' });
    system = await startTestSystem({ MAX_BOT_TOKEN: 'max-browser', MAX_WEBHOOK_SECRET: 'max-browser-secret', MAX_API_BASE_URL: max.apiBaseUrl,
      OK_GROUPS: '53038939046008:ok-group-key', OK_WEBHOOK_SECRET: OK_SECRET }, ['ingest', 'classify', 'workflow', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    await createStaff(system, admin, 'max-operator', 'Оператор ЦУР Петрова', [{ role: 'moderator', organizationId: null }]);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await max?.close();
  });

  it('shows a MAX group message that arrives while the inbox is open, labelled MAX, and filters by the new sources', async () => {
    const { page, foreign, errors } = await staffPage(browser, system, 'max-operator');
    expect(new URL(page.url()).pathname).toBe('/inbox');
    await page.waitForSelector('body[data-monitoring-ready="true"]');

    const m = maxChatMessage({ chatId: -70_000_000_555, text: 'В Канске на улице Эйдемана прорвало трубу, <i>кипяток</i> течёт по тротуару, не пройти.' });
    const hook = await fetch(`${system.url}/webhooks/max`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-max-bot-api-secret': 'max-browser-secret' }, body: JSON.stringify(maxMessageCreated(m)) });
    expect(hook.status).toBe(200);
    const ok = okGroupMessage('chat:C77aa01', '577000999', { text: 'В посёлке Шушенское не работает уличное освещение на улице Ленина.' });
    const okHook = await fetch(`${system.url}/webhooks/ok/53038939046008/${OK_SECRET}`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ok) });
    expect(okHook.status).toBe(200);

    // A group chat's message is a signal: it arrives among the monitoring team's incidents while the page is open.
    const maxCase = caseIdFor(messageIdFor('max', `${m.recipient.chat_id}:${m.body.mid}`));
    const okCase = caseIdFor(messageIdFor('ok', `53038939046008:${ok.message.mid}`));
    const incident = page.locator('article.incident', { hasText: 'Эйдемана' });
    await incident.waitFor({ timeout: 30_000 });
    expect(await incident.locator('.src').getAttribute('aria-label')).toBe('Источник: MAX');
    // The citizen's markup is text, not markup.
    await expect.poll(() => incident.locator('p.text').textContent()).toContain('<i>кипяток</i>');
    expect(await incident.locator('p.text i').count()).toBe(0);
    await screenshot(page, 'inbox-max-message');

    // The source filter lists the new networks by name; Одноклассники's shows no MAX signal, MAX's keeps it.
    expect(await page.locator('#m-source option').allTextContents()).toEqual(expect.arrayContaining(['MAX', 'Одноклассники']));
    await page.locator('#m-source').selectOption({ label: 'Одноклассники' });
    await page.getByRole('button', { name: 'Показать' }).click();
    await incident.waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('#m-source').selectOption({ label: 'MAX' });
    await page.getByRole('button', { name: 'Показать' }).click();
    await incident.waitFor({ timeout: 15_000 });
    expect(await page.locator('article.incident').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('source')).toBe('max');

    // A message written to the region's group is an appeal: it waits for moderation in the appeals view, labelled.
    await page.goto(`${system.url}/inbox?view=appeals`);
    await page.waitForSelector('body[data-inbox-ready="true"]');
    const appeal = page.locator(`article[data-case="${okCase}"]`);
    await appeal.waitFor({ timeout: 30_000 });
    expect(await appeal.locator('.src').getAttribute('aria-label')).toBe('Источник: Одноклассники');
    expect(await page.locator(`article[data-case="${maxCase}"]`).count()).toBe(0);
    expect(await page.locator('#f-source option').allTextContents()).toEqual(expect.arrayContaining(['MAX', 'Одноклассники']));
    await page.locator('#f-source').selectOption({ label: 'MAX' });
    await page.getByRole('button', { name: 'Показать' }).click();
    await appeal.waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('#f-source').selectOption({ label: 'Одноклассники' });
    await page.getByRole('button', { name: 'Показать' }).click();
    await appeal.waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).searchParams.get('source')).toBe('ok');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });
});
