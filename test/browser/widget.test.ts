import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';

/** A government site on another origin that embeds the widget, as real sites do. */
async function startHostSite(pages: (otklik: string) => Record<string, string>) {
  let otklik = '';
  const server = http.createServer((req, res) => {
    const page = pages(otklik)[req.url ?? '/'];
    if (!page) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { origin, setOtklik: (url: string) => void (otklik = url), close: () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }) };
}

describe('the site widget in a real page', () => {
  let system: Otklik;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startHostSite>>;
  beforeAll(async () => {
    site = await startHostSite((otklik) => ({
      '/': `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Министерство</title></head><body>
        <h1>Обратная связь</h1><script src="${otklik}/widget.js" data-org="minzdrav-24"></script></body></html>`,
      '/pos-style': `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Администрация</title></head><body>
        <div id="pos-widget"></div><script src="${otklik}/widget.js"></script>
        <script>Widget('${otklik}/widget.js', 'adm-achinsk', document.getElementById('pos-widget'))</script></body></html>`,
    }));
    system = await startTestSystem({ WIDGET_ALLOWED_ORIGINS: site.origin, WIDGET_CONTACT_LIMIT_PER_DAY: '2' }, ['ingest', 'classify', 'workflow']);
    site.setOtklik(system.url!);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await site?.close();
  });

  it('is filled in, submitted and shows the registration number', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/`);
    await page.getByLabel('Категория').selectOption('ЖКХ');
    await page.getByLabel('Опишите проблему').fill('В доме 12 на улице Ленина третий день нет горячей воды, управляющая компания не отвечает.');
    await page.getByLabel('Адрес').fill('Красноярск, ул. Ленина, 12');
    await page.getByLabel('Ваше имя').fill('Петрова Анна');
    await page.getByLabel('Телефон').fill('+7 391 222-33-44');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await expect.poll(() => page.locator('.otklik-status').textContent(), { timeout: 5000 }).toMatch(/согласие/);
    await page.getByLabel('Я согласен(а) на обработку персональных данных').check();
    await page.getByRole('button', { name: 'Отправить' }).click();
    const number = page.locator('.otklik-number');
    await number.waitFor({ timeout: 20_000 });
    expect(await number.textContent()).toMatch(/^\d{4}-\d{6}$/);
    expect(await page.locator('.otklik-status').textContent()).toContain('Ваше обращение зарегистрировано');
    await screenshot(page, 'widget-registered');
    const stored = await system.db.query('select m.provenance from messages m join cases c on c.message_id = m.id where c.registration_number = $1', [
      await number.textContent(),
    ]);
    expect(stored.rows[0].provenance).toMatchObject({ site: site.origin, org: 'minzdrav-24', category: 'ЖКХ' });
    await page.close();
  });

  it('embedded with Widget(url, orgId), refuses a flood and says so in Russian', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/pos-style`);
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('Опишите проблему').fill(`Жалоба номер ${i + 1}: на перекрёстке Кирова и Ленина не работает светофор.`);
      await page.getByLabel('Электронная почта').fill('flood@example.ru');
      await page.getByLabel('Я согласен(а) на обработку персональных данных').check();
      await page.getByRole('button', { name: 'Отправить' }).click();
      await expect.poll(() => page.locator('.otklik-status').textContent(), { timeout: 10_000 }).not.toMatch(/Отправляем/);
      statuses.push((await page.locator('.otklik-status').textContent()) ?? '');
    }
    expect(statuses[0]).not.toMatch(/Слишком много/);
    expect(statuses[1]).not.toMatch(/Слишком много/);
    expect(statuses[2]).toMatch(/Слишком много обращений/);
    await screenshot(page, 'widget-flood-refused');
    await page.close();
  });
});
