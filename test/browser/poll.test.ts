import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Otklik } from '../../main.js';
import { loginAs, startTestSystem } from '../support.js';
import { latestCodeTo } from '../codes.js';
import { guardNetwork, launchBrowser, screenshot } from './browser.js';

describe('public poll page in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  let pollId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    browser = await launchBrowser();
    const token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const call = (path: string, body: unknown) =>
      fetch(`${system.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await call('/api/v1/polls', {
      title: 'Какой сквер благоустроить первым?',
      questions: [{ kind: 'single', text: 'Выберите сквер', options: ['Сквер Победы', 'Сквер у школы №5', 'Сквер на Мира'] }],
    });
    pollId = ((await created.json()) as { id: string }).id;
    for (const to of ['published', 'open']) expect((await call(`/api/v1/polls/${pollId}/status`, { to })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  async function verifyInPage(page: Page, phone: string) {
    await page.fill('#identity-destination', phone);
    await page.click('#identity-send');
    await page.waitForSelector('#identity-code', { state: 'visible' });
    // No SMS gateway here (development mode): the code is read where the outbound worker recorded it.
    const code = await latestCodeTo(system.db, { phone: '+79131234567' });
    await page.fill('#identity-code', code);
    await page.click('#identity-confirm');
    await page.waitForSelector('#identity-done');
  }

  it('a citizen verifies, votes, sees live results; a second vote from another tab is refused politely', async () => {
    const first = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    const second = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const foreign = [guardNetwork(first, system.url!), guardNetwork(second, system.url!)];
    const errors: string[] = [];
    for (const p of [first, second]) p.on('pageerror', (e) => errors.push(e.message));

    // Both tabs hold the ballot at once; the same person confirms the same phone in each.
    for (const p of [first, second]) {
      await p.goto(`${system.url}/polls/${pollId}`);
      await p.waitForSelector('body[data-poll-ready="true"]');
    }
    expect(await first.locator('h1').textContent()).toBe('Какой сквер благоустроить первым?');
    await verifyInPage(first, '+7 913 123-45-67');
    await verifyInPage(second, '8 (913) 123 45 67');

    await first.check('label:has-text("Сквер у школы №5") input');
    await first.click('#vote-submit');
    await first.waitForSelector('.poll-message.ok');
    expect(await first.locator('#vote-message').textContent()).toMatch(/голос учтён/);
    // Live results arrive from ClickHouse through the events queue.
    await first.waitForSelector('body[data-results-voters="1"]', { timeout: 20_000 });
    expect(await first.locator('#poll-results svg path').count()).toBeGreaterThan(0);
    const row = first.locator('.poll-table tr', { hasText: 'Сквер у школы №5' });
    expect(await row.locator('td').nth(1).textContent()).toBe('1');
    expect(await row.locator('td').nth(2).textContent()).toBe('100\u00a0%');
    await screenshot(first, 'poll-voted-mobile');
    const width = await first.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);

    await second.check('label:has-text("Сквер Победы") input');
    await second.click('#vote-submit');
    await second.waitForSelector('.poll-message.info');
    expect(await second.locator('#vote-message').textContent()).toBe('Вы уже проголосовали в этом голосовании. Спасибо за участие!');
    expect(await second.locator('#ballot').isHidden()).toBe(true);
    await screenshot(second, 'poll-second-vote');

    const votes = await system.db.query('select count(*)::int as n from votes where poll_id = $1', [pollId]);
    expect(votes.rows[0].n).toBe(1);
    expect(errors).toEqual([]);
    expect(foreign.flat()).toEqual([]);
  });
});
