import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { loginAs, startTestSystem } from '../support.js';
import { latestCodeTo } from '../codes.js';
import { launchBrowser, screenshot } from './browser.js';

/** A municipality's site on another origin that embeds the widget in poll mode. */
async function startHostSite(page: (otklik: string, pollId: string) => string) {
  let otklik = '';
  let pollId = '';
  const server = http.createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(otklik, pollId));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    set: (url: string, id: string) => void ((otklik = url), (pollId = id)),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('the site widget in poll mode', () => {
  let system: Otklik;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startHostSite>>;
  let pollId: string;
  beforeAll(async () => {
    site = await startHostSite((otklik, id) =>
      `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
      <title>Администрация города</title></head><body><h1>Голосование</h1><script src="${otklik}/widget.js" data-poll="${id}"></script></body></html>`
    );
    system = await startTestSystem({ WIDGET_ALLOWED_ORIGINS: site.origin }, ['ingest', 'workflow']);
    const token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const staff = (path: string, body: unknown) =>
      fetch(`${system.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await staff('/api/v1/polls', {
      title: 'Какой сквер благоустроить в 2027 году?',
      municipalities: ['город Ачинск'],
      questions: [{ kind: 'single', text: 'Выберите сквер', options: ['Сквер Победы', 'Сквер у вокзала'] }],
    });
    expect(created.status).toBe(201);
    pollId = ((await created.json()) as { id: string }).id;
    for (const to of ['published', 'open']) expect((await staff(`/api/v1/polls/${pollId}/status`, { to })).status).toBe(200);
    site.set(system.url!, pollId);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await site?.close();
  });

  /** The code as the outbound worker recorded it (no SMS gateway here: development mode). */
  const codeFor = (destination: string) => latestCodeTo(system.db, { phone: destination });

  async function vote(phone: string, pick: string) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${site.origin}/`);
    await page.getByText('Какой сквер благоустроить в 2027 году?').waitFor({ timeout: 10_000 });
    await page.getByLabel(pick).check();
    await page.getByLabel('Ваш муниципалитет').selectOption('город Ачинск');
    await page.getByLabel('Телефон или e-mail для подтверждения').fill(phone);
    await page.getByRole('button', { name: 'Получить код' }).click();
    await expect.poll(() => page.locator('.otklik-status').textContent(), { timeout: 10_000 }).toMatch(/Код отправлен/);
    await page.getByLabel('Код из сообщения').fill(await codeFor(phone.replace(/[^\d+]/g, '').replace(/^8/, '+7')));
    await page.getByRole('button', { name: 'Проголосовать' }).click();
    return page;
  }

  it('verifies by code, votes from another origin, and refuses a second vote politely', async () => {
    const page = await vote('+79135550101', 'Сквер у вокзала');
    await expect.poll(() => page.locator('.otklik-status').textContent(), { timeout: 10_000 }).toMatch(/голос учтён/);
    await screenshot(page, 'widget-poll-voted');
    const stored = await system.db.query<{ channel: string; municipality: string }>('select channel, municipality from votes where poll_id = $1', [pollId]);
    expect(stored.rows).toEqual([{ channel: 'widget', municipality: 'город Ачинск' }]);

    const again = await vote('+79135550101', 'Сквер Победы');
    await expect.poll(() => again.locator('.otklik-status').textContent(), { timeout: 10_000 }).toMatch(/Вы уже проголосовали/);
    expect(await again.locator('.otklik-status.otklik-error').count()).toBe(1);
    expect((await system.db.query('select 1 from votes where poll_id = $1', [pollId])).rowCount).toBe(1);
  });
});
