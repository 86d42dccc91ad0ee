/**
 * The poll's look where citizens vote (issue #21, section 4): on the public page and in the widget's poll mode each
 * option's text stands beside its radio or checkbox, one option a line; the scale question is a row of radios in
 * both; the closing date is shown, in the region's time in both; after the vote the identity step («Личность
 * подтверждена») leaves the page.
 */
import http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { latestCodeTo } from '../codes.js';
import { loginAs, startTestSystem } from '../support.js';
import { guardNetwork, launchBrowser, screenshot } from './browser.js';

const DAY = 86_400_000;
/** «до 14 дек. 2026, 18:00»: a Russian date and time, not ISO or UTC. */
const RU_DATE_TIME = /\d{1,2} (янв|февр|мар|апр|мая|июн|июл|авг|сент|окт|нояб|дек)\.? \d{4}, \d{2}:\d{2}/;

/** A municipality's site on another origin that embeds the widget in poll mode. */
async function startHostSite() {
  let html = '';
  const server = http.createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    embed: (otklik: string, pollId: string) =>
      void (html = `<!doctype html><html lang="ru"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width"><title>Администрация города</title></head>
      <body><h1>Голосование</h1><script src="${otklik}/widget.js" data-poll="${pollId}"></script></body></html>`),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Placement {
  text: string;
  control: DOMRect;
  label: DOMRect;
}

/**
 * Where each option's control and its words are drawn. On the page the words are the label's text beside the input
 * it wraps; in the widget they are the label pointing at the input.
 */
function placements(page: Page, optionSelector: string): Promise<Placement[]> {
  return page.locator(optionSelector).evaluateAll((options) =>
    options.map((option) => {
      const input = (option.matches('input') ? option : option.querySelector('input'))! as HTMLInputElement;
      const label = option.matches('input') ? document.querySelector(`label[for="${input.id}"]`)! : option;
      const range = document.createRange();
      range.selectNodeContents(label);
      if (label.contains(input)) range.setStartAfter(input);
      const rect = (r: DOMRect) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }) as DOMRect;
      return { text: range.toString().trim(), control: rect(input.getBoundingClientRect()), label: rect(range.getBoundingClientRect()) };
    })
  );
}

/** The control sits on the line of its words, to their left. */
function expectBeside(p: Placement) {
  expect(p.control.right, `«${p.text}»: the control is left of its words`).toBeLessThanOrEqual(p.label.left + 1);
  const overlap = Math.min(p.control.bottom, p.label.bottom) - Math.max(p.control.top, p.label.top);
  expect(overlap, `«${p.text}»: the control and its words share a line`).toBeGreaterThan(Math.min(p.control.height, p.label.height) / 2);
}

/** One option a line: the words of one option never run into the next one's. */
function expectOneALine(list: Placement[]) {
  for (let i = 1; i < list.length; i++) {
    expect(list[i]!.label.top, `«${list[i]!.text}» starts a new line`).toBeGreaterThanOrEqual(list[i - 1]!.label.bottom - 1);
  }
}

describe('the poll where citizens vote, on the page and in the widget', () => {
  let system: Otklik;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startHostSite>>;
  let pollId: string;

  beforeAll(async () => {
    site = await startHostSite();
    system = await startTestSystem({ WIDGET_ALLOWED_ORIGINS: site.origin }, ['ingest', 'workflow', 'analytics', 'dashboard']);
    const token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const staff = (path: string, body: unknown) =>
      fetch(`${system.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await staff('/api/v1/polls', {
      title: 'Благоустройство набережной',
      closesAt: new Date(Date.now() + 10 * DAY).toISOString(),
      questions: [
        { kind: 'single', text: 'Что сделать первым?', options: ['Освещение вдоль всей набережной', 'Скамейки', 'Велодорожку'] },
        { kind: 'multiple', text: 'Что ещё нужно?', options: ['Детская площадка', 'Общественный туалет', 'Пункт проката'] },
        { kind: 'scale', text: 'Насколько вам нравится набережная сейчас?', scaleMin: 1, scaleMax: 5 },
      ],
    });
    expect(created.status).toBe(201);
    pollId = ((await created.json()) as { id: string }).id;
    for (const to of ['published', 'open']) expect((await staff(`/api/v1/polls/${pollId}/status`, { to })).status).toBe(200);
    site.embed(system.url!, pollId);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await site?.close();
  });

  it('on /polls/:id: options beside their controls, one a line, the closing date, and no identity block after the vote', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    const foreign = guardNetwork(page, system.url!);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${system.url}/polls/${pollId}`);
    await page.waitForSelector('body[data-poll-ready="true"]');
    expect(await page.locator('#poll-dates').textContent()).toMatch(new RegExp(`^Голосование идёт до ${RU_DATE_TIME.source}$`));

    const questions = page.locator('#ballot fieldset.poll-question');
    expect(await questions.count()).toBe(3);
    for (const q of [0, 1]) {
      const list = await placements(page, `#ballot fieldset.poll-question >> nth=${q} >> label.poll-option`);
      expect(list.map((p) => p.text).length).toBe(3);
      list.forEach(expectBeside);
      expectOneALine(list);
    }
    const scale = await placements(page, '#ballot fieldset.poll-question >> nth=2 >> label.poll-option');
    expect(scale.map((p) => p.text)).toEqual(['1', '2', '3', '4', '5']);
    scale.forEach(expectBeside);
    expect(await questions.nth(2).getByRole('radio').count()).toBe(5);
    await screenshot(page, 'poll-page-ballot');

    await page.fill('#identity-destination', '+7 913 765-43-21');
    await page.click('#identity-send');
    await page.waitForSelector('#identity-code', { state: 'visible' });
    await page.fill('#identity-code', await latestCodeTo(system.db, { phone: '+79137654321' }));
    await page.click('#identity-confirm');
    await page.waitForSelector('#identity-done');
    await page.getByLabel('Скамейки').check();
    await page.getByLabel('Пункт проката').check();
    await questions.nth(2).getByRole('radio', { name: '4' }).check();
    await page.click('#vote-submit');
    await page.waitForSelector('.poll-message.ok');
    // The identity step has done its work: nothing tells the citizen to confirm or that they are confirmed any more.
    expect(await page.locator('#identity').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain('Личность подтверждена');
    expect(await page.locator('#poll-dates').isVisible()).toBe(true);
    await screenshot(page, 'poll-page-voted');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('in the widget: options beside their controls, the scale as radios, the closing date; a vote on the scale counts', async () => {
    // The citizen's computer keeps another zone than the region's: the widget still prints the region's time, as the page does.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, timezoneId: 'America/New_York' });
    await page.goto(`${system.url}/polls/${pollId}`);
    const onPage = (await page.locator('#poll-dates').textContent())!.replace('Голосование идёт до ', '');
    await page.goto(`${site.origin}/`);
    await page.getByText('Благоустройство набережной').waitFor({ timeout: 10_000 });
    expect(await page.locator('.otklik-dates').textContent()).toMatch(new RegExp(`^Голосование до ${RU_DATE_TIME.source}$`));
    expect(await page.locator('.otklik-dates').textContent()).toBe(`Голосование до ${onPage}`);

    const questions = page.locator('fieldset.otklik-q');
    expect(await questions.count()).toBe(3);
    for (const q of [0, 1]) {
      const list = await placements(page, `fieldset.otklik-q >> nth=${q} >> input`);
      expect(list.length).toBe(3);
      list.forEach(expectBeside);
      expectOneALine(list);
    }
    // The scale is answered as on the page: five radios, no drop-down list.
    expect(await questions.nth(2).locator('select').count()).toBe(0);
    expect(await questions.nth(2).getByRole('radio').count()).toBe(5);
    const scale = await placements(page, 'fieldset.otklik-q >> nth=2 >> input');
    expect(scale.map((p) => p.text)).toEqual(['1', '2', '3', '4', '5']);
    scale.forEach(expectBeside);
    await screenshot(page, 'widget-poll-ballot');

    await page.getByLabel('Велодорожку').check();
    await page.getByLabel('Детская площадка').check();
    await questions.nth(2).getByRole('radio', { name: '2' }).check();
    await page.getByLabel('Телефон или e-mail для подтверждения').fill('+79137654300');
    await page.getByRole('button', { name: 'Получить код' }).click();
    await expect.poll(() => page.locator('.otklik-status').textContent(), { timeout: 10_000 }).toMatch(/Код отправлен/);
    await page.getByLabel('Код из сообщения').fill(await latestCodeTo(system.db, { phone: '+79137654300' }));
    await page.getByRole('button', { name: 'Проголосовать' }).click();
    await expect.poll(() => page.locator('.otklik-status').textContent(), { timeout: 10_000 }).toMatch(/голос учтён/);
    const scaleAnswers = await system.db.query<{ value: number }>(
      `select a.value from vote_answers a join votes v on v.id = a.vote_id where v.poll_id = $1 and v.channel = 'widget' and a.value is not null`,
      [pollId],
    );
    expect(scaleAnswers.rows.map((r) => r.value)).toEqual([2]);
    await page.close();
  });
});
