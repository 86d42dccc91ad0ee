/**
 * The monitoring operator's main path in chromium: three signals about one problem arrive from VK (a post and a
 * comment on the region's community wall) and Telegram (a group where the bot is a member) while the inbox is open;
 * they show as one incident with its size, channels and time left. Nothing is posted until the operator acts: the
 * interim «взято в работу» goes to each thread, the incident is accepted and routed to the monitoring team's own
 * organization, the operator writes and approves the answer in the case, and the one answer is published on every
 * thread, each delivery shown in the inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Otklik } from '../../main.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { buildVkCallback, buildVkComment, buildVkPost, tgGroupMessage } from '../fakes/payloads.js';
import { eventually, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, createOrg, createStaff, staffPage } from './staff.js';

const TG_TOKEN = '777:monitoring-token';
const PROBLEM = 'Красноярск, улица Молокова 15: прорвало трубу, подвал затоплен, третий день нет горячей воды, <b>управляющая</b> компания молчит';

describe('monitoring team in chromium: an incident of three signals from VK and Telegram', () => {
  let vk: FakeVk;
  let tg: FakeTelegram;
  let system: Otklik;
  let browser: Browser;
  let caseId: string;

  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token'] });
    tg = await startFakeTelegram({ token: TG_TOKEN });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: '111:conf-111',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      VK_GROUP_TOKEN: 'group-token',
      VK_API_BASE_URL: vk.apiBaseUrl,
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
      TELEGRAM_API_ROOT: tg.apiRoot,
    });
    browser = await launchBrowser();
    const admin = await adminToken(system);
    const orgId = await createOrg(system, admin, 'ЦУР Красноярского края', undefined, 'region');
    await createOrg(system, admin, 'Администрация Советского района');
    await createStaff(system, admin, 'cur-operator', 'Оператор ЦУР Иванова', [
      { role: 'moderator', organizationId: null },
      { role: 'coordinator', organizationId: orgId },
      { role: 'leader', organizationId: orgId },
    ]);
    // ПОС's two responsible people: the operator is not alone in the team, its head is a leader too.
    await createStaff(system, admin, 'cur-head', 'Руководитель ЦУР Петров', [{ role: 'leader', organizationId: orgId }]);
    // The operator's organization has already confirmed readiness: the dialog is the desk test's subject.
    await system.db.query('update organizations set training_confirmed = true, ready_confirmed = true where id = $1', [orgId]);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await tg?.close();
    await vk?.close();
  });

  const vkEvent = (type: string, object: unknown) =>
    fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildVkCallback(type, object, { secret: 'cb-secret' })) });
  const tgUpdate = (message: unknown) =>
    fetch(`${system.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret' },
      body: JSON.stringify({ update_id: 91001, message }) });

  it('sees the incident arrive live, reacts «взято в работу» on every thread and accepts it', async () => {
    const { page, foreign, errors } = await staffPage(browser, system, 'cur-operator');
    expect(new URL(page.url()).pathname).toBe('/inbox');
    await page.waitForSelector('body[data-monitoring-ready="true"]');

    expect((await vkEvent('wall_post_new', buildVkPost({ id: 7301, owner_id: -111, from_id: 5001, text: PROBLEM }))).status).toBe(200);
    expect(
      (await vkEvent('wall_reply_new', buildVkComment({ id: 8802, owner_id: -111, post_id: 4242, from_id: 5002, text: `${PROBLEM}!!! Сколько можно ждать` })))
        .status,
    ).toBe(200);
    expect((await tgUpdate(tgGroupMessage({ message_id: 6603, text: `${PROBLEM}. Помогите` }))).status).toBe(200);

    const row = page.locator('article.incident', { hasText: 'Сообщений: 3' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('.src').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(['Источник: Telegram', 'Источник: ВКонтакте']);
    // «нет горячей воды» is one of the region's fast-track phrases: the team has 8 hours, not 24.
    expect(await row.locator('.left').textContent()).toMatch(/^осталось [78] ч$/);
    expect(await row.getAttribute('class')).toContain('fast');
    expect(await row.locator('.growth').textContent()).toBe('+3 за 6 ч');
    // Citizens' markup is text, and nothing was posted anywhere by itself.
    expect(await row.locator('p.text').textContent()).toContain('<b>управляющая</b>');
    expect(await row.locator('p.text b').count()).toBe(0);
    expect(vk.comments).toEqual([]);
    expect(tg.sent).toEqual([]);
    await screenshot(page, 'monitoring-incident');

    await row.getByRole('button', { name: 'Взято в работу' }).click();
    await eventually(async () => (vk.comments.length === 2 && tg.sent.length === 1 ? true : undefined), 20_000, 'interim replies on three threads');
    expect(vk.comments.map((c) => [c.ownerId, c.postId, c.replyTo, c.fromGroup]).sort()).toEqual([[-111, 4242, 8802, 111], [-111, 7301, undefined, 111]]);
    expect(tg.sent[0]).toMatchObject({ chatId: '-1001234567890', replyTo: 6603 });
    expect(tg.sent[0]!.text).toMatch(/взято в работу/);
    await expect.poll(() => row.locator('.left').count(), { timeout: 15_000 }).toBe(0);

    await row.locator('select[id^="org-"]').selectOption({ label: 'ЦУР Красноярского края' });
    await row.getByRole('button', { name: 'Принять и направить' }).click();
    await expect.poll(() => page.locator('#monitoring-status').textContent(), { timeout: 15_000 }).toContain('принят и направлен');
    const accepted = page.locator('article.incident[data-status="accepted"]', { hasText: 'Сообщений: 3' });
    await accepted.waitFor({ timeout: 15_000 });
    expect(await accepted.locator('.case-line').textContent()).toContain('ЦУР Красноярского края');
    caseId = (await accepted.locator('.case-line a').getAttribute('href'))!.split('/').pop()!;
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('answers in the case; the approved answer is published on every thread, each delivery shown in the inbox', async () => {
    const { page, foreign, errors } = await staffPage(browser, system, 'cur-operator', { next: `/cases/${caseId}` });
    await page.waitForSelector('body[data-case-status="routed"]');
    await page.getByRole('button', { name: 'Взять в работу лично' }).click();
    await page.waitForSelector('body[data-case-status="in_progress"]');
    const answer = 'Здравствуйте! Аварийная бригада устранила прорыв на улице Молокова, 15 сегодня в 14:00, подвал откачан, горячая вода подаётся. ' +
      'Телефон диспетчерской: 8 (391) 200-00-00. С уважением, ЦУР Красноярского края.';
    await page.getByLabel('Текст ответа').fill(answer);
    await page.getByRole('button', { name: 'Сохранить черновик' }).click();
    await page.waitForSelector('body[data-case-status="draft"]');
    await page.getByRole('button', { name: 'Отправить на утверждение' }).click();
    await page.waitForSelector('body[data-case-status="on_approval"]');
    await page.getByRole('button', { name: 'Утвердить и отправить ответ' }).click();
    await page.waitForFunction(() => ['approved', 'answered'].includes(document.body.dataset.caseStatus ?? ''));

    await eventually(async () => (vk.comments.filter((c) => c.message === answer).length === 2
        && tg.sent.some((m) => m.text === answer) ?
      true :
      undefined), 20_000, 'the answer on the three threads');
    const tgAnswer = tg.sent.find((m) => m.text === answer)!;
    expect(tgAnswer).toMatchObject({ chatId: '-1001234567890', replyTo: 6603 });
    // A public answer carries no rating buttons: those are for an appeal's author.
    expect(tgAnswer.replyMarkup).toBeUndefined();

    await page.goto(`${system.url}/inbox?status=all`);
    await page.waitForSelector('body[data-monitoring-ready="true"]');
    const row = page.locator('article.incident[data-status="answered"]', { hasText: 'Сообщений: 3' });
    await row.waitFor({ timeout: 15_000 });
    await row.getByRole('button', { name: 'Ветки и доставка' }).click();
    const answers = row.locator('li[data-reply]', { hasText: 'Ответ' });
    await expect.poll(() => answers.evaluateAll((els) => els.map((e) => e.getAttribute('data-delivery'))), { timeout: 20_000 }).toEqual(['sent', 'sent',
      'sent']);
    expect(await row.locator('tr[data-thread]').count()).toBe(3);
    await screenshot(page, 'monitoring-incident-answered');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});
