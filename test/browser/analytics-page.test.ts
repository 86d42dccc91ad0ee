/**
 * /analytics as a region administrator first saw it (issue #21, section 4): it says it is loading instead of showing
 * «—» as an answer; organizations' names are whole and do not run into each other; the polls panel names polls by
 * title; the tiles carry their counts and the caption stays clear of the legend; «Растущие темы» ends today, so it
 * lists what the weekly report lists for the same week.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { eventIdFor, uuidV5 } from '../../lib/ids.js';
import type { AnalyticsEventInput } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { eventually, startTestSystem } from '../support.js';
import { guardNetwork, launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createOrg } from './staff.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LONG_NAMES = [
  'Департамент городского хозяйства и транспорта администрации города Ачинска',
  'Министерство строительства и жилищно-коммунального хозяйства Красноярского края',
];
const POLL_TITLE = 'Какой сквер благоустроить в 2027 году?';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A classified message as the classify stage reports it to analytics. */
function message(key: string, at: Date, municipality: string, category: string): AnalyticsEventInput[] {
  const messageId = uuidV5(`analytics-page-${key}`);
  const common = { messageId, source: 'contact_center' as const, municipality, props: {} };
  return [
    { ...common, eventId: eventIdFor(messageId, 'received'), type: 'message.received', at: at.toISOString(), authorHash: `author-${key}` },
    { ...common, eventId: eventIdFor(messageId, 'classified'), type: 'message.classified', at: new Date(at.getTime() + 1000).toISOString(), category,
      confidence: 0.9, modelVersion: 't', fastTrack: false, kind: 'complaint' },
  ];
}

/** A case registered, routed to an organization and answered after `answeredAfterH` hours, as the workflow's outbox reports it. */
function answeredCase(key: string, at: Date, organizationId: string, answeredAfterH: number): AnalyticsEventInput[] {
  const caseId = uuidV5(`analytics-page-case-${key}`);
  const events = message(key, at, 'город Ачинск', 'ЖКХ');
  const step = (status: string, fromStatus: string, afterH: number): AnalyticsEventInput => ({
    eventId: eventIdFor(caseId, 'transition', status),
    type: 'case.transition',
    at: new Date(at.getTime() + afterH * HOUR).toISOString(),
    caseId,
    organizationId,
    fromStatus,
    status,
    actor: 'test',
    props: {},
  });
  return [...events, { eventId: eventIdFor(caseId, 'case.created'), type: 'case.created', at: at.toISOString(), caseId, messageId: events[0]!.messageId,
    source: 'contact_center', municipality: 'город Ачинск', category: 'ЖКХ', status: 'moderation', deadlineAt: new Date(at.getTime() + 30 * DAY).toISOString(),
    props: {} }, step('routed', 'moderation', 1), step('answered', 'routed', answeredAfterH)];
}

function vote(pollId: string, n: number, at: Date): AnalyticsEventInput {
  const voteId = uuidV5(`analytics-page-vote-${n}`);
  return { eventId: eventIdFor('vote', voteId), type: 'vote.cast', at: at.toISOString(), municipality: 'город Канск', status: 'accepted',
    authorHash: `voter-${n}`,
    props: { pollId, questionId: uuidV5('analytics-page-question'), optionId: uuidV5('analytics-page-option'), voteId, channel: 'page', seq: 0 } };
}

interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Every text drawn in a chart, with where it is drawn, and the chart's own box. */
function chartTexts(page: Page, panel: string): Promise<{ chart: Box; texts: Box[] }> {
  return page.locator(`#chart-${panel}`).evaluate((el) => {
    const box = (r: DOMRect, text = '') => ({ text, left: r.left, right: r.right, top: r.top, bottom: r.bottom });
    return { chart: box(el.getBoundingClientRect()),
      texts: Array.from(el.querySelectorAll('svg text')).filter((t) => (t.textContent ?? '').trim() !== '').map((t) =>
        box(t.getBoundingClientRect(), t.textContent!.trim())
      ) };
  });
}

const intersect = (a: Box, b: Box) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;

describe('the analytics page as a region administrator first saw it', () => {
  let system: Otklik;
  let browser: Browser;

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'analytics', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    const orgs = [];
    for (const name of LONG_NAMES) orgs.push(await createOrg(system, admin, name));
    const poll = await call(system, '/api/v1/polls', 'POST', admin, { title: POLL_TITLE,
      questions: [{ kind: 'single', text: 'Выберите сквер', options: ['Сквер Победы', 'Сквер у вокзала'] }] });
    expect(poll.status).toBe(201);

    const now = Date.now();
    const events: AnalyticsEventInput[] = [
      ...answeredCase('a1', new Date(now - 20 * DAY), orgs[0]!, 10),
      ...answeredCase('a2', new Date(now - 19 * DAY), orgs[0]!, 50),
      ...answeredCase('b1', new Date(now - 18 * DAY), orgs[1]!, 30),
      ...answeredCase('b2', new Date(now - 17 * DAY), orgs[1]!, 70),
      // Four complaints about Kansk's roads in the last two days, none before: a rising topic of this week.
      ...[1, 2, 3, 4].flatMap((k) => message(`rise-${k}`, new Date(now - k * 9 * HOUR), 'город Канск', 'Дороги')),
      // A message from a place outside the gazetteer: counted in the tile map's caption.
      ...message('nowhere', new Date(now - 3 * DAY), 'посёлок Нигде', 'Дороги'),
      ...[1, 2, 3].map((n) => vote(poll.body.id as string, n, new Date(now - n * HOUR))),
    ];
    await system.queues.events.add('analytics-page', { events: events as never });
    await eventually(async () => {
      const rs = await system.ch!.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
      return Number((await rs.json<{ n: string }>())[0]!.n) === events.length;
    }, 20_000, 'all events in ClickHouse');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it("says «загрузка…» until the figures come, then draws whole names, poll titles, tile counts and this week's rising topics", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ru-RU', timezoneId: 'Asia/Krasnoyarsk' });
    const page = await context.newPage();
    const foreign = guardNetwork(page, system.url!);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The figures are held back until the page has been looked at: a slow ClickHouse, as on a big region.
    const held: Route[] = [];
    let release = false;
    await page.route('**/api/v1/analytics/**', (route) => (release ? route.continue() : void held.push(route)));
    await page.goto(`${system.url}/login?next=${encodeURIComponent('/analytics')}`);
    await page.getByLabel('Логин').fill('admin');
    await page.getByLabel('Пароль').fill('test-admin-password');
    await Promise.all([page.waitForURL((u) => u.pathname === '/analytics'), page.getByRole('button', { name: 'Войти' }).click()]);
    await expect.poll(() => held.length).toBeGreaterThan(0);
    expect(await page.locator('#kpi-messages').textContent()).toBe('загрузка…');
    expect(await page.locator('#kpi-ontime').textContent()).toBe('загрузка…');
    expect(await page.locator('#chart-answer-time').textContent()).toBe('Загрузка данных…');
    expect(await page.locator('#main').getAttribute('aria-busy')).toBe('true');
    await screenshot(page, 'analytics-loading');
    release = true;
    for (const route of held.splice(0)) await route.continue();
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.locator('#kpi-messages').textContent()).toBe('9');
    expect(await page.locator('#main').getAttribute('aria-busy')).toBeNull();
    await screenshot(page, 'analytics-loaded');

    // «Время ответа»: each organization's whole name, inside the chart, no label over another.
    for (const panel of ['answer-time', 'sla']) {
      const { chart, texts } = await chartTexts(page, panel);
      const drawn = texts.map((t) => t.text).join(' ').replace(/\s+/g, ' ');
      for (const name of LONG_NAMES) expect(drawn, `${panel}: the whole name`).toContain(name);
      expect(drawn).not.toContain('…');
      for (const t of texts) {
        expect(t.left, `${panel}: «${t.text}» starts inside the chart`).toBeGreaterThanOrEqual(chart.left - 1);
        expect(t.right, `${panel}: «${t.text}» ends inside the chart`).toBeLessThanOrEqual(chart.right + 1);
      }
      for (const [i, a] of texts.entries()) {
        for (const b of texts.slice(i + 1)) expect(intersect(a, b), `${panel}: «${a.text}» and «${b.text}» overlap`).toBe(false);
      }
    }

    // The polls panel names the poll; no id anywhere, on the chart or in its table.
    const polls = await chartTexts(page, 'polls');
    const pollTexts = polls.texts.map((t) => t.text).join(' ').replace(/\s+/g, ' ');
    expect(pollTexts).toContain(POLL_TITLE);
    expect(pollTexts).not.toMatch(UUID);
    await page.locator('#panel-polls summary').click();
    expect(await page.locator('#table-polls').textContent()).toContain(POLL_TITLE);
    expect(await page.locator('#table-polls').textContent()).not.toMatch(UUID);

    // The tile map: each tile says how many, and the caption stands above the tiles, away from the legend below.
    const tiles = await chartTexts(page, 'municipalities');
    const texts = tiles.texts.map((t) => t.text);
    expect(texts.join('|')).toMatch(/г\. Канск\|?4(\||$)/);
    expect(texts.join('|')).toMatch(/г\. Ачинск\|?4(\||$)/);
    const caption = tiles.texts.find((t) => t.text === 'Без муниципалитета или вне справочника: 1');
    expect(caption, texts.join(' | ')).toBeDefined();
    expect(texts, 'the legend is drawn').toContain('больше');
    for (const t of tiles.texts.filter((x) => x !== caption)) expect(intersect(caption!, t), `the caption covers «${t.text}»`).toBe(false);
    const firstTile = tiles.texts.filter((t) => t.text.startsWith('г. ')).reduce((a, b) => (a.top < b.top ? a : b));
    expect(caption!.bottom).toBeLessThanOrEqual(firstTile.top);

    // «Растущие темы» ends today, as the weekly report's week does: the same topic, the same count.
    const rising = await chartTexts(page, 'rising');
    expect(rising.texts.map((t) => t.text)).toContain('Дороги — г. Канск');
    await page.locator('#panel-rising summary').click();
    const risingRow = page.locator('#table-rising tr', { hasText: 'город Канск' });
    expect(await risingRow.locator('td').allTextContents()).toEqual(expect.arrayContaining(['Дороги', '4']));
    await page.goto(`${system.url}/report/weekly`);
    await page.waitForSelector('body[data-report-ready="true"]');
    const reportRow = page.locator('section', { has: page.getByRole('heading', { name: 'Растущие темы' }) }).locator('tr', { hasText: 'город Канск' });
    expect((await reportRow.locator('td').allTextContents()).slice(0, 3)).toEqual(['город Канск', 'Дороги', '4']);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
