/**
 * The appeals view of the inbox (/inbox?view=appeals: messages sent to the region, waiting for moderation): merging and splitting incidents from the keyboard, "not a complaint"
 * and rejection, saved views, search highlights; and the corrections leaving through `otklik export-corrections`
 * in the format `otklik train --corrections` reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { readCorrections } from '../../classify/feedback.js';
import { signBody } from '../../ingest/contact-center.js';
import { runCli, type Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { eventually, startTestSystem, testDataDir } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, createStaff, staffPage } from './staff.js';

const CALLS = [
  'Прорыв трубы на улице Вавилова, 5: вода течёт по подъезду, затопило подвал.',
  'Улица Вавилова, 5 — всё ещё течёт вода в подъезде после прорыва трубы, подвал затоплен.',
  'Спасибо администрации за новую детскую площадку во дворе на Партизана Железняка!',
];

describe('monitoring inbox: incidents, corrections, views', () => {
  let system: Otklik;
  let browser: Browser;
  const ids: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem({}, ['ingest', 'classify', 'workflow', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    await createStaff(system, admin, 'inbox-op', 'Оператор Кузнецова', [{ role: 'moderator', organizationId: null }]);
    for (const [i, text] of CALLS.entries()) {
      const card = JSON.stringify({ callId: `inbox-${i}`, receivedAt: new Date(Date.now() - (3 - i) * 60_000).toISOString(), phone: '+73912000001', text,
        municipality: 'город Красноярск' });
      const r = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', card) }, body: card });
      ids.push(caseIdFor(((await r.json()) as { messageId: string }).messageId));
    }
    await eventually(async () => (await system.db.query('select 1 from cases')).rowCount === 3, 20_000, 'three cases');
    // The classifier may already have grouped the two reports of the leak; start from separate incidents.
    await system.db.query('update cases set incident_id = id::text');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('merges and splits incidents from the keyboard', async () => {
    const { page, errors, foreign } = await staffPage(browser, system, 'inbox-op', { next: '/inbox?view=appeals' });
    await page.waitForSelector('body[data-inbox-ready="true"]');
    const item = (id: string) => page.locator(`article[data-case="${id}"]`);
    for (const id of ids) await item(id).waitFor();
    // Newest first: the thank-you note (registered last) leads.
    expect(await page.locator('article.item').first().getAttribute('data-case')).toBe(ids[2]);

    // Keyboard: j moves down, x marks, m merges the marked items into one incident.
    await page.locator('body').press('j');
    await page.locator('body').press('x');
    await page.locator('body').press('j');
    await page.locator('body').press('x');
    await page.locator('body').press('m');
    await expect.poll(() => item(ids[0]!).locator('.mentions').textContent(), { timeout: 15_000 }).toBe('Упоминаний: 2');
    expect(await item(ids[1]!).locator('.mentions').textContent()).toBe('Упоминаний: 2');
    const merged = await system.db.query<{ incident_id: string }>('select distinct incident_id from cases where id = any($1::uuid[])', [[ids[0], ids[1]]]);
    expect(merged.rowCount).toBe(1);
    await screenshot(page, 'inbox-merged');

    await item(ids[0]!).getByRole('button', { name: 'Отделить от инцидента' }).click();
    await expect.poll(() => item(ids[1]!).locator('.mentions').textContent(), { timeout: 15_000 }).toBe('Упоминаний: 1');
    // The case history records every move of the monitoring team.
    const events = await system.db.query<{ type: string }>('select type from case_events where case_id = $1 order by id', [ids[0]]);
    expect(events.rows.map((r) => r.type)).toEqual(['registered', 'incident_merged', 'incident_split']);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('marks noise, rejects it, keeps a saved view and highlights a search', async () => {
    const { page, errors, foreign } = await staffPage(browser, system, 'inbox-op', { next: '/inbox?view=appeals' });
    await page.waitForSelector('body[data-inbox-ready="true"]');
    const item = (id: string) => page.locator(`article[data-case="${id}"]`);
    await item(ids[2]!).waitFor();

    // The thank-you note is not a complaint (kept for training), then rejected with a reason.
    await item(ids[2]!).getByRole('button', { name: 'Не жалоба' }).click();
    await expect.poll(() => item(ids[2]!).locator('.kind').textContent(), { timeout: 15_000 }).toBe('Не жалоба');
    await item(ids[2]!).getByLabel('Причина отклонения').fill('Благодарность, ответа не требует');
    await item(ids[2]!).getByRole('button', { name: 'Отклонить' }).click();
    await item(ids[2]!).waitFor({ state: 'detached' });

    // A saved view: rejected non-complaints; it survives a reload (kept in this browser).
    await page.locator('#f-status').selectOption('all');
    await page.locator('#f-kind').selectOption('other');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForFunction(() => document.querySelectorAll('article.item').length === 1);
    await page.getByLabel('Название').fill('Не жалобы');
    await page.getByRole('button', { name: 'Сохранить вид' }).click();
    await page.goto(`${system.url}/inbox?view=appeals`);
    await page.waitForSelector('body[data-inbox-ready="true"]');
    await page.waitForFunction(() => document.querySelectorAll('article.item').length === 2);
    await page.locator('#saved-views').selectOption('Не жалобы');
    await page.waitForFunction(() => document.querySelectorAll('article.item').length === 1);
    expect(await page.locator('article.item').getAttribute('data-status')).toBe('rejected');

    // Search highlights the term in the text.
    await page.goto(`${system.url}/inbox?view=appeals&q=${encodeURIComponent('подвал')}`);
    await page.waitForSelector('body[data-inbox-ready="true"]');
    await page.waitForFunction(() => document.querySelectorAll('article.item').length === 2);
    expect(await page.locator('article.item mark', { hasText: 'подвал' }).count()).toBe(2);
    await screenshot(page, 'inbox-search');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('exports the corrections through the CLI in the format the trainer reads', async () => {
    expect((await system.db.query('select 1 from classification_corrections')).rowCount).toBe(1);
    const dir = testDataDir('corrections');
    const file = path.join(dir, 'kind.jsonl');
    // The command runs in this process (a child would spend ~20 s loading every stage): same parser, same action.
    const saved = { ...process.env };
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    Object.assign(process.env, { DATABASE_URL: system.config.databaseUrl!, LOG_LEVEL: 'silent', OTKLIK_DATA_DIR: dir });
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await runCli(['node', 'otklik', 'export-corrections', '--kind', file]);
    } finally {
      process.stdout.write = write;
      process.env = saved;
    }
    expect(JSON.parse(out.join('').trim().split('\n').at(-1)!)).toMatchObject({ corrections: 1 });
    const read = await readCorrections(file);
    expect(read).toEqual([expect.objectContaining({ text: CALLS[2], label: 'other' })]);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('+7391');
  });
});
