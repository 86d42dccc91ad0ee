/**
 * From an empty system to daily use in chromium (issue #21): a region administrator sets the region up on the
 * administration pages alone, and each thing that broke or confused on first use is checked where a browser shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createOrg, createStaff, PASSWORD, staffPage } from './staff.js';

async function postCall(system: Otklik, callId: string, text: string, receivedAt = new Date()): Promise<string> {
  const card = JSON.stringify({ callId, receivedAt: receivedAt.toISOString(), phone: '+7 (391) 200-00-01', text, municipality: 'город Красноярск' });
  const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', card) }, body: card });
  expect(res.status).toBe(202);
  return caseIdFor(((await res.json()) as { messageId: string }).messageId);
}

async function adminPage(browser: Browser, system: Otklik, path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ru-RU', timezoneId: 'Asia/Krasnoyarsk' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${system.url}/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Логин').fill('admin');
  await page.getByLabel('Пароль').fill('test-admin-password');
  await Promise.all([page.waitForURL((u) => u.pathname === path), page.getByRole('button', { name: 'Войти' }).click()]);
  return { page, errors };
}

describe('first run to daily use in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  let admin: string;

  beforeAll(async () => {
    system = await startTestSystem({}, ['ingest', 'classify', 'workflow', 'analytics', 'dashboard']);
    browser = await launchBrowser();
    admin = await adminToken(system);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('shows on / which period it covers, where citizens and staff go, and says when a chart has no data yet', async () => {
    // First thing on an empty system: nothing has come in yet.
    {
      const page = await browser.newPage();
      await page.goto(`${system.url}/`);
      expect(await page.locator('#period').textContent()).toMatch(/^Период: всё время работы системы, по \d+ \S+ \d{4} включительно$/);
      expect(await page.getByRole('link', { name: 'Голосования и опросы' }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Вход для сотрудников' }).count()).toBe(1);
      expect(await page.locator('#empty-source').isVisible()).toBe(true);
      expect(await page.locator('#chart-source').isVisible()).toBe(false);
      await page.close();
    }
  });

  it('sets the region up on the administration pages: organization, staff, channels, region rules, a poll, and the audit log', async () => {
    const { page, errors } = await adminPage(browser, system, '/admin/organizations');
    await page.waitForSelector('body[data-orgs-ready]');
    await page.locator('#org-create').getByLabel('Название').fill('Администрация Центрального района');
    await page.locator('#org-create').getByLabel('ОГРН').fill('1022402648010');
    await page.locator('#org-create').getByLabel('ИНН').fill('2466010657');
    await page.locator('#org-create').getByLabel('Код для маршрутизации').fill('central');
    await page.getByRole('button', { name: 'Создать организацию' }).click();
    await page.getByText('Организация «Администрация Центрального района» создана').waitFor();
    const orgRow = page.locator('li.org-node', { hasText: 'Администрация Центрального района' }).first();
    await expect.poll(() => orgRow.textContent()).toContain('ОГРН 1022402648010');
    expect(await orgRow.textContent()).toContain('нет координатора');
    await screenshot(page, 'admin-organizations');

    await page.getByRole('link', { name: 'Сотрудники и роли' }).click();
    await page.waitForSelector('body[data-staff-ready]');
    const create = page.locator('#staff-create');
    await create.getByLabel('Логин', { exact: true }).fill('central.coordinator');
    await create.getByLabel('ФИО', { exact: true }).fill('Петрова Анна Сергеевна');
    await create.getByLabel('Пароль', { exact: true }).fill(PASSWORD);
    await create.getByLabel('Организация', { exact: true }).selectOption({ label: 'Администрация Центрального района' });
    await create.getByLabel('Роль', { exact: true }).selectOption({ label: 'Координатор' });
    await page.getByRole('button', { name: 'Создать сотрудника' }).click();
    await page.locator('li[data-user="central.coordinator"]').waitFor();
    expect(await loginAs(system.url!, 'central.coordinator', PASSWORD)).toBeTruthy();

    await page.getByRole('link', { name: 'Каналы' }).click();
    await page.waitForSelector('body[data-channels-ready]');
    await page.getByLabel('Сайты, на которых работает виджет').fill('https://www.krskstate.test');
    await page.getByLabel('Секрет подписи карточек звонков').fill('a-new-122-secret');
    await page.getByRole('button', { name: 'Сохранить настройки каналов' }).click();
    await page.getByText('Сохранено.').waitFor();
    // The secret is never shown back; the widget turns on without a restart.
    expect(await page.getByLabel('Секрет подписи карточек звонков').inputValue()).toBe('');
    await eventually(async () => ((await (await fetch(`${system.url}/healthz`)).json()) as { channels: Record<string, string> }).channels.widget === 'on',
      10_000, 'widget on');
    await screenshot(page, 'admin-channels');
    // Removing the value set here brings the environment's secret back (the later calls here are signed with it).
    expect((await call(system, '/api/v1/settings/channels', 'PUT', admin, { values: { 'contactCenter.secret': null } })).status).toBe(200);

    await page.getByRole('link', { name: 'Правила региона' }).click();
    await page.waitForSelector('body[data-region-ready]');
    await page.getByLabel('Срок быстрой задачи').fill('7');
    expect(await page.getByLabel('Напоминания о сроке, за сколько дней').inputValue()).toBe('3, 1');
    await page.getByLabel('Напоминания о сроке, за сколько дней').fill('5, 2');
    await page.getByRole('button', { name: 'Сохранить правила региона' }).click();
    await page.getByText('Правила региона сохранены').waitFor();
    const rules = (await call(system, '/api/v1/settings/region', 'GET', admin)).body.effective;
    expect({ fastTrackDays: rules.fastTrackDays, reminderDays: rules.reminderDays }).toEqual({ fastTrackDays: 7, reminderDays: [5, 2] });

    await page.getByRole('link', { name: 'Голосования' }).click();
    await page.locator('#poll-create').getByLabel('Название').fill('Где поставить новую остановку?');
    await page.locator('#poll-create').getByLabel('Текст вопроса').fill('Выберите место');
    await page.locator('#poll-create').getByLabel('Варианты ответа').fill('У школы\nУ рынка');
    await page.getByRole('button', { name: 'Создать черновик' }).click();
    // A draft is edited in place: the age limit and hiding results while it runs are set here too.
    await page.getByRole('button', { name: 'Изменить: Где поставить новую остановку?' }).click();
    await expect.poll(() => page.locator('#poll-create').getByLabel('Варианты ответа').inputValue()).toBe('У школы\nУ рынка');
    await page.locator('#poll-create').getByLabel('Возраст участников от').fill('16');
    await page.locator('#poll-create').getByLabel('Показывать итоги во время голосования').uncheck();
    await page.getByRole('button', { name: 'Сохранить черновик' }).click();
    await page.getByText('Черновик «Где поставить новую остановку?» сохранён').waitFor();
    const polls = (await call(system, '/api/v1/polls?limit=10', 'GET', admin)).body.items as { id: string; title: string }[];
    const draft = (await call(system, `/api/v1/polls/${polls.find((p) => p.title === 'Где поставить новую остановку?')!.id}`, 'GET', admin)).body;
    expect({ minAge: draft.minAge, liveResults: draft.liveResults, options: draft.questions[0].options.map((o: { text: string }) => o.text) })
      .toEqual({ minAge: 16, liveResults: false, options: ['У школы', 'У рынка'] });
    await page.getByRole('button', { name: 'Опубликовать: Где поставить новую остановку?' }).click();
    await page.getByRole('button', { name: 'Открыть голосование: Где поставить новую остановку?' }).click();
    await page.getByRole('button', { name: 'Завершить голосование: Где поставить новую остановку?' }).waitFor();

    await page.getByRole('link', { name: 'Журнал изменений' }).click();
    await page.waitForSelector('body[data-audit-ready]');
    const audit = await page.locator('#audit-list').textContent();
    for (const what of ['Организация', 'Сотрудник', 'Настройка', 'Голосование']) expect(audit).toContain(what);
    expect(audit).not.toContain('a-new-122-secret');
    await screenshot(page, 'admin-audit');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('lets an executor pass a case (the «Передать» list is filled) and keeps the live answer check live', async () => {
    const org = await createOrg(system, admin, 'Администрация Советского района');
    await call(system, `/api/v1/organizations/${org}`, 'PATCH', admin, { trainingConfirmed: true, readyConfirmed: true });
    await createStaff(system, admin, 'sov.moderator', 'Модератор', [{ role: 'moderator', organizationId: null }]);
    await createStaff(system, admin, 'sov.coordinator', 'Координатор', [{ role: 'coordinator', organizationId: org }]);
    // An organization receives cases once a coordinator and a leader — two people — are in it (ПОС readiness).
    await createStaff(system, admin, 'sov.leader', 'Руководитель', [{ role: 'leader', organizationId: org }]);
    const first = await createStaff(system, admin, 'sov.exec1', 'Исполнитель Первый', [{ role: 'executor', organizationId: org }]);
    await createStaff(system, admin, 'sov.exec2', 'Исполнитель Второй', [{ role: 'executor', organizationId: org }]);
    const caseId = await postCall(system, 'first-run-pass', 'Во дворе дома по улице Мира, 10 не горят фонари, очень темно.');
    const moderator = await loginAs(system.url!, 'sov.moderator', PASSWORD);
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
    expect((await call(system, `/api/v1/cases/${caseId}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: org })).status).toBe(200);
    const coordinator = await loginAs(system.url!, 'sov.coordinator', PASSWORD);
    expect((await call(system, `/api/v1/cases/${caseId}/assign`, 'POST', coordinator, { expectedVersion: 1, executorId: first })).status).toBe(200);

    const { page, errors } = await staffPage(browser, system, 'sov.exec1', { next: `/cases/${caseId}` });
    await page.waitForSelector('body[data-case-status="assigned"]');
    const options = await page.getByLabel('Исполнитель').locator('option').allTextContents();
    expect(options).toContain('Исполнитель Второй');
    await page.getByRole('button', { name: 'Начать работу' }).click();
    await page.waitForSelector('body[data-case-status="in_progress"]');
    const rule = await page.locator('.fields').textContent();
    expect(rule).toMatch(/Срок по правилу\d+ (день|дня|дней) — (общий срок рассмотрения|быстрая задача)/);
    expect(rule).not.toMatch(/standard|fast-track/);
    const text = page.getByLabel('Текст ответа');
    await text.fill('Фонари починим.');
    await page.waitForSelector('#save-draft-warnings[data-checked="1"]');
    const before = await page.locator('#save-draft-warnings').textContent();
    await text.fill(
      'Здравствуйте! Фонари во дворе дома по улице Мира, 10 заменены 26 ноября, освещение работает. Фото прилагаем. Телефон для справок: 8 (391) 226-10-10. С уважением, администрация района.',
    );
    await page.getByLabel('Вложения (фото и видео выполненных работ)').fill('фото https://krsk.example/photo/1.jpg');
    // The second check lands in the same box: the warnings change instead of going stale.
    await page.waitForSelector('#save-draft-warnings[data-checked="3"], #save-draft-warnings[data-checked="2"]');
    await expect.poll(() => page.locator('#save-draft-warnings').textContent()).not.toBe(before);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('sorts the desk by deadline without the redundant organization column, readable on a phone', async () => {
    const org = await createOrg(system, admin, 'Администрация Кировского района');
    await call(system, `/api/v1/organizations/${org}`, 'PATCH', admin, { trainingConfirmed: true, readyConfirmed: true });
    await createStaff(system, admin, 'kir.coordinator', 'Координатор Кировского', [{ role: 'coordinator', organizationId: org }]);
    await createStaff(system, admin, 'kir.leader', 'Руководитель Кировского', [{ role: 'leader', organizationId: org }]);
    const moderator = await loginAs(system.url!, 'sov.moderator', PASSWORD);
    // An older call (its deadline is nearer) registered after a newer one: the desk still puts it first.
    const fresh = await postCall(system, 'first-run-desk-fresh', 'На улице Кирова, 5 разбит тротуар, невозможно пройти с коляской.');
    await eventually(async () => (await call(system, `/api/v1/cases/${fresh}`, 'GET', moderator)).status === 200, 20_000, 'fresh case');
    const fastTrack = await postCall(system, 'first-run-desk-fast', 'В доме на улице Кирова, 7 нет горячей воды третий день.');
    await eventually(async () => (await call(system, `/api/v1/cases/${fastTrack}`, 'GET', moderator)).status === 200, 20_000, 'fast case');
    for (const id of [fresh, fastTrack]) {
      expect((await call(system, `/api/v1/cases/${id}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: org })).status).toBe(200);
    }

    const { page } = await staffPage(browser, system, 'kir.coordinator', { viewport: { width: 390, height: 844 } });
    await page.waitForSelector('body[data-desk-ready="true"]');
    const dialog = page.getByRole('dialog', { name: 'Требуется подтверждение' });
    if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Закрыть' }).click();
    const rows = page.locator('#desk-incoming tr[data-case]');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute('data-case')).toBe(fastTrack);
    expect(await page.locator('#desk-incoming th').allTextContents()).not.toContain('Организация');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    const snippet = await rows.first().locator('td.snippet').boundingBox();
    expect(snippet!.width).toBeGreaterThan(200);
    await screenshot(page, 'desk-phone-sorted');
    await page.context().close();
  });

  it('routes from the inbox without choosing an organization, shows where it went, and explains the shading', async () => {
    // The region's coordinating centre (config/routing.yaml names it by code): where automatic routing sends what no rule takes.
    const centre = await createOrg(system, admin, 'Центр управления регионом', undefined, 'region');
    expect((await call(system, `/api/v1/organizations/${centre}/code`, 'PUT', admin, { code: 'region-coordination' })).status).toBe(200);
    await call(system, `/api/v1/organizations/${centre}`, 'PATCH', admin, { trainingConfirmed: true, readyConfirmed: true });
    await createStaff(system, admin, 'centre.coordinator', 'Координатор ЦУР', [{ role: 'coordinator', organizationId: centre }]);
    await createStaff(system, admin, 'centre.leader', 'Руководитель ЦУР', [{ role: 'leader', organizationId: centre }]);
    const { page, errors } = await staffPage(browser, system, 'sov.moderator', { next: '/inbox?view=appeals' });
    await page.waitForSelector('body[data-inbox-ready="true"]');
    expect(await page.locator('.legend').textContent()).toContain('Быстрая задача');
    const caseId = await postCall(system, 'first-run-inbox', 'Во дворе на улице Ленина, 40 не вывозят мусор уже неделю.');
    const moderator = await loginAs(system.url!, 'sov.moderator', PASSWORD);
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
    const item = page.locator(`article[data-case="${caseId}"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.locator('[data-action="accept"]').click();
    await page.getByText(/принято и направлено/).waitFor();
    await page.getByLabel('Статус').selectOption('routed');
    await page.getByRole('button', { name: 'Показать' }).click();
    await expect.poll(() => page.locator(`article[data-case="${caseId}"] .routed-to`).textContent(), { timeout: 10_000 }).toMatch(/^→ .+/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('speaks Russian where it used to speak English or codes: the 404 page, the favicon, the analytics filter, the routing history', async () => {
    const notFound = await fetch(`${system.url}/no/such/page`, { headers: { accept: 'text/html' } });
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toContain('Страница не найдена');
    const api404 = await fetch(`${system.url}/api/v1/no-such`);
    expect(((await api404.json()) as { error: string }).error).toMatch(/no route/);
    expect((await fetch(`${system.url}/favicon.ico`)).status).toBe(200);
    const { page } = await adminPage(browser, system, '/analytics');
    await page.goto(`${system.url}/analytics?from=not-a-date`);
    expect(await page.locator('p.error').textContent()).toMatch(/^Фильтр не применён: «С» — нужна дата/);
    expect(await page.locator('p.error').textContent()).not.toMatch(/from/);
    await page.goto(`${system.url}/routing`);
    await expect.poll(() => page.locator('#versions').textContent()).toContain('Первая версия из файла');
    await page.context().close();
  });
});
