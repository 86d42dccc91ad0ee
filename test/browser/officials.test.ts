/**
 * The officials' dashboard in chromium: a curator of the region filters every panel to one municipality, drills
 * from the SLA panel (its table link and its chart bar) into that municipality's overdue cases, exports panels
 * (SVG from the server, PNG from the browser, CSV) and prints the weekly report to PDF; a coordinator of one city
 * sees only their organization's figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { messageIdFor } from '../../lib/ids.js';
import type { ClassifiedMessage } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { registerCase } from '../../workflow/register-case.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createOrg, createStaff, PASSWORD, staffPage } from './staff.js';

const DAY = 86_400_000;

function buildCall(o: { externalId: string; municipality: string; category: string; text: string; at: Date }): ClassifiedMessage {
  const at = o.at.toISOString();
  return {
    message: {
      messageId: messageIdFor('contact_center', o.externalId),
      source: 'contact_center',
      externalId: o.externalId,
      receivedAt: at,
      text: o.text,
      authorHash: 'b'.repeat(64),
      contact: { phone: '+73912000000' },
      place: { municipality: o.municipality },
      attachments: [],
      provenance: {},
      raw: null,
    },
    classification: { category: o.category, confidence: 0.8, top: [], kind: 'complaint', fastTrack: false, deadlineDays: 30, deadlineRule: 'standard',
      modelVersion: 'test', municipality: o.municipality },
    classifiedAt: at,
  };
}

describe('officials dashboard in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  const ids: Record<string, string> = {};
  let achinsk: string;

  beforeAll(async () => {
    system = await startTestSystem();
    browser = await launchBrowser();
    const admin = await adminToken(system);
    const region = await createOrg(system, admin, 'Правительство Красноярского края', undefined, 'region');
    achinsk = await createOrg(system, admin, 'Администрация города Ачинска', region);
    const kansk = await createOrg(system, admin, 'Администрация города Канска', region);
    await system.db.query('update organizations set training_confirmed = true, ready_confirmed = true');
    await createStaff(system, admin, 'official', 'Заместитель губернатора', [{ role: 'curator', organizationId: region }]);
    await createStaff(system, admin, 'an-moderator', 'Модератор', [{ role: 'moderator', organizationId: null }]);
    await createStaff(system, admin, 'achinsk-coordinator', 'Координатор Ачинска', [{ role: 'coordinator', organizationId: achinsk }]);
    // Each organization that receives cases has a leader too, a second person besides its coordinator (ПОС's two responsible people).
    await createStaff(system, admin, 'achinsk-leader', 'Руководитель', [{ role: 'leader', organizationId: achinsk }]);
    await createStaff(system, admin, 'kansk-coordinator', 'Координатор Канска', [{ role: 'coordinator', organizationId: kansk }]);
    await createStaff(system, admin, 'kansk-leader', 'Руководитель Канска', [{ role: 'leader', organizationId: kansk }]);
    const moderator = await loginAs(system.url!, 'an-moderator', PASSWORD);

    // Two calls registered 40 days ago with a 30-day term (overdue now), one registered today: the workflow's own
    // registration, at the time they came in; its outbox carries them to analytics like any other case.
    const now = Date.now();
    const seeds = [
      { key: 'achinsk-old', externalId: 'an-1', municipality: 'город Ачинск', category: 'Дороги', org: achinsk, at: new Date(now - 40 * DAY),
        text: 'Ачинск, улица Кравченко: яма на дороге уже месяц, никто не ремонтирует.' },
      { key: 'achinsk-new', externalId: 'an-2', municipality: 'город Ачинск', category: 'ЖКХ', org: achinsk, at: new Date(now - DAY),
        text: 'Ачинск: нет горячей воды в доме на улице Ленина.' },
      { key: 'kansk-old', externalId: 'an-3', municipality: 'город Канск', category: 'Дороги', org: kansk, at: new Date(now - 40 * DAY),
        text: 'Канск: не чистят тротуары на улице 40 лет Октября.' },
    ];
    for (const s of seeds) {
      const r = await registerCase(system.db, buildCall(s), s.at);
      ids[s.key] = r.case.caseId;
      expect((await call(system, `/api/v1/cases/${r.case.caseId}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: s.org })).status).toBe(200);
    }
    const official = await loginAs(system.url!, 'official', PASSWORD);
    await eventually(async () => {
      const r = await call(system, `/api/v1/analytics/sla?groupBy=organization`, 'GET', official);
      const rows = r.body.rows as { organization: string; overdueNow: number; cases: number }[];
      return rows.reduce((n, x) => n + (x.organization ? x.overdueNow : 0), 0) === 2 && rows.reduce((n, x) => n + x.cases, 0) === 3;
    }, 30_000, 'cases and routing in analytics');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('filters to one municipality and drills into its overdue cases', async () => {
    const { page, foreign, errors } = await staffPage(browser, system, 'official', { next: '/analytics' });
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.locator('#kpi-overdue').textContent()).toBe('2');
    expect(await page.locator('#chart-municipalities svg').textContent()).toContain('г. Ачинск');
    await screenshot(page, 'analytics-region');

    await page.getByLabel('Муниципалитет', { exact: true }).selectOption('город Ачинск');
    await Promise.all([page.waitForURL(/municipality=/), page.getByRole('button', { name: 'Применить' }).click()]);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.locator('#kpi-overdue').textContent()).toBe('1');
    expect(await page.locator('#kpi-cases').textContent()).toBe('2');
    expect(await page.locator('#chart-sla svg').textContent()).toContain('Администрация города Ачинска');
    await screenshot(page, 'analytics-achinsk');

    // Keyboard path: the panel's table links to the same list as the chart.
    await page.locator('#panel-sla summary').click();
    await Promise.all([page.waitForURL(/\/cases\?/), page.locator('#table-sla a[data-drill="overdueNow"]').click()]);
    await page.waitForSelector('body[data-cases-ready="true"]');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ municipality: 'город Ачинск', organizationId: achinsk, overdue: 'true' });
    expect(await page.locator('#cases-total').textContent()).toBe('Найдено: 1');
    expect(await page.locator(`tr[data-case="${ids['achinsk-old']}"]`).count()).toBe(1);
    expect(await page.locator('#cases-list').textContent()).toContain('просрочено');
    expect(await page.locator('#cases-filter').textContent()).toContain('Администрация города Ачинска');
    await screenshot(page, 'analytics-drill-overdue');

    // Mouse path: a click on the red "overdue" bar of the chart leads to the same list.
    await page.goBack();
    await page.waitForSelector('body[data-charts-ready="true"]');
    await Promise.all([page.waitForURL(/overdue=true/), page.locator('#chart-sla svg path[fill="#c62828"]').first().click({ force: true })]);
    expect(new URL(page.url()).searchParams.get('organizationId')).toBe(achinsk);
    await page.waitForSelector('body[data-cases-ready="true"]');
    expect(await page.locator('#cases-total').textContent()).toBe('Найдено: 1');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it('exports panels to SVG, PNG and CSV and prints the weekly report', async () => {
    const { page, errors } = await staffPage(browser, system, 'official', {
      next: '/analytics?municipality=%D0%B3%D0%BE%D1%80%D0%BE%D0%B4%20%D0%90%D1%87%D0%B8%D0%BD%D1%81%D0%BA',
    });
    await page.waitForSelector('body[data-charts-ready="true"]');
    const svg = await page.request.get(await page.locator('[data-svg="sla"]').evaluate((a) => (a as HTMLAnchorElement).href));
    expect(svg.status()).toBe(200);
    expect(svg.headers()['content-type']).toContain('image/svg+xml');
    const svgText = await svg.text();
    expect(svgText.startsWith('<svg')).toBe(true);
    expect(svgText).toContain('Администрация города Ачинска');
    expect(svgText).not.toContain('Администрация города Канска');

    const csv = await page.request.get(await page.locator('[data-csv="categories"]').evaluate((a) => (a as HTMLAnchorElement).href));
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('Дороги');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-png="categories"]').click()]);
    expect(download.suggestedFilename()).toBe('categories.png');

    await page.goto(`${system.url}/report/weekly`);
    await page.waitForSelector('body[data-report-ready="true"]');
    expect(await page.locator('h1').textContent()).toContain('Еженедельный отчёт');
    expect(await page.locator('#kpi-overdue').textContent()).toBe('2');
    expect(await page.locator('.report').textContent()).toContain('Администрация города Канска');
    await screenshot(page, 'weekly-report');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(errors).toEqual([]);
  });

  it("shows an organization's coordinator the figures of their organization only", async () => {
    const { page, errors, foreign } = await staffPage(browser, system, 'achinsk-coordinator', { next: '/analytics' });
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.locator('section.panel').evaluateAll((els) => els.map((e) => e.id))).toEqual(['panel-sla', 'panel-answer-time', 'panel-ratings']);
    expect(await page.locator('#chart-sla svg').textContent()).toContain('Администрация города Ачинска');
    expect(await page.locator('#chart-sla svg').textContent()).not.toContain('Администрация города Канска');
    expect(await page.locator('#kpi-overdue').textContent()).toBe('1');
    expect(await page.locator('#kpi-messages').count()).toBe(0);
    expect(await page.locator('nav a[href="/report/weekly"]').count()).toBe(0);
    await screenshot(page, 'analytics-organization');
    const report = await page.goto(`${system.url}/report/weekly`);
    expect(report?.status()).toBe(403);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
