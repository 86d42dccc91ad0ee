/**
 * The organization's desk in chromium: the coordinator assigns an incoming 122 call, the executor confirms the
 * ЛКО readiness dialog, drafts the answer (seeing the quality warnings) and submits it, the leader approves it
 * from the approval queue, and the answer reaches the citizen (an SMS to the status page that shows it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { loadOrCreateSalt } from '../../lib/salt.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { createStatusLinks } from '../../workflow/status-link.js';
import { eventually, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createOrg, createStaff, staffPage } from './staff.js';

describe('organization desk in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  let caseId: string;
  let orgId: string;

  beforeAll(async () => {
    system = await startTestSystem({}, ['ingest', 'classify', 'workflow', 'dashboard']);
    browser = await launchBrowser();
    const admin = await adminToken(system);
    orgId = await createOrg(system, admin, 'Администрация Центрального района');
    await createStaff(system, admin, 'desk-moderator', 'Модератор', [{ role: 'moderator', organizationId: null }]);
    await createStaff(system, admin, 'desk-coordinator', 'Координатор Петров', [{ role: 'coordinator', organizationId: orgId }]);
    await createStaff(system, admin, 'desk-executor', 'Исполнитель Сидорова', [{ role: 'executor', organizationId: orgId }]);
    await createStaff(system, admin, 'desk-leader', 'Руководитель Смирнов', [{ role: 'leader', organizationId: orgId }]);

    const card = JSON.stringify({ callId: 'desk-1', receivedAt: new Date().toISOString(), phone: '+7 (391) 222-33-44',
      text: 'Во дворе дома по улице Ленина, 12 огромная яма на проезде, машины не могут проехать.', municipality: 'город Красноярск' });
    const posted = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', card) }, body: card });
    expect(posted.status).toBe(202);
    caseId = caseIdFor(((await posted.json()) as { messageId: string }).messageId);
    const { loginAs } = await import('../support.js');
    const moderator = await loginAs(system.url!, 'desk-moderator', 'a-long-password-1');
    await eventually(async () => (await call(system, `/api/v1/cases/${caseId}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
    expect((await call(system, `/api/v1/cases/${caseId}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: orgId })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  // One path in three steps (each its own browser context): the coordinator assigns, the executor answers, the leader approves.
  it('coordinator assigns the incoming case to an executor', async () => {
    const coord = await staffPage(browser, system, 'desk-coordinator');
    await coord.page.waitForSelector('body[data-desk-ready="true"]');
    // The organization has not confirmed readiness yet: the dialog of ПОС asks first; «Закрыть» leaves it for later.
    await coord.page.getByRole('dialog', { name: 'Требуется подтверждение' }).waitFor();
    await coord.page.getByRole('button', { name: 'Закрыть' }).click();
    const incoming = coord.page.locator('#desk-incoming');
    await incoming.locator(`tr[data-case="${caseId}"]`).waitFor();
    await screenshot(coord.page, 'desk-coordinator');
    await incoming.locator(`tr[data-case="${caseId}"] a`).click();
    await coord.page.waitForSelector('body[data-case-status="routed"]');
    await coord.page.getByLabel('Исполнитель').selectOption({ label: 'Исполнитель Сидорова' });
    await coord.page.getByRole('button', { name: 'Назначить исполнителя' }).click();
    await coord.page.waitForSelector('body[data-case-status="assigned"]');
    expect(coord.errors).toEqual([]);
    expect(coord.foreign).toEqual([]);
    await coord.page.context().close();
  });

  it('executor confirms readiness, drafts the answer with the quality warnings and submits it', async () => {
    const exec = await staffPage(browser, system, 'desk-executor');
    await exec.page.waitForSelector('body[data-desk-ready="true"]');
    const dialog = exec.page.getByRole('dialog', { name: 'Требуется подтверждение' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Подтверждаю' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Мною пройдено обучение').check();
    await dialog.getByLabel('ЛКО готов к работе').check();
    await screenshot(exec.page, 'desk-readiness-dialog');
    await confirm.click();
    await exec.page.waitForSelector('body[data-readiness="confirmed"]');
    const flags = await system.db.query('select training_confirmed, ready_confirmed from organizations where id = $1', [orgId]);
    expect(flags.rows[0]).toEqual({ training_confirmed: true, ready_confirmed: true });

    const mine = exec.page.locator('#desk-assigned');
    await mine.locator(`tr[data-case="${caseId}"]`).waitFor();
    await screenshot(exec.page, 'desk-executor');
    await mine.locator(`tr[data-case="${caseId}"] a`).click();
    await exec.page.waitForSelector('body[data-case-status="assigned"]');
    expect(await exec.page.locator('.case-head').textContent()).toMatch(/осталось дней: \d+/);
    await exec.page.getByRole('button', { name: 'Начать работу' }).click();
    await exec.page.waitForSelector('body[data-case-status="in_progress"]');
    // A bare answer draws the quality warnings (no greeting, no photo of the repaired road) — saved, but flagged.
    await exec.page.getByLabel('Текст ответа').fill('Яма будет отремонтирована.');
    await exec.page.getByRole('button', { name: 'Сохранить черновик' }).click();
    await exec.page.waitForSelector('body[data-case-status="draft"]');
    const warnings = exec.page.locator('#save-draft-warnings li');
    expect(await warnings.count()).toBeGreaterThan(0);
    await screenshot(exec.page, 'desk-executor-draft-warnings');
    const answer = 'Здравствуйте! Яма на проезде у дома по улице Ленина, 12 заделана асфальтом 26 ноября, проезд открыт. ' +
      'Фото выполненных работ прилагаем. Телефон для справок: 8 (391) 226-10-10. С уважением, администрация Центрального района.';
    await exec.page.getByLabel('Текст ответа').fill(answer);
    await exec.page.getByLabel('Вложения (фото и видео выполненных работ)').fill('photo https://krsk.example/photo/yama-12.jpg');
    await exec.page.getByRole('button', { name: 'Сохранить черновик' }).click();
    await exec.page.waitForFunction(() => Number(document.body.dataset.caseVersion) > 0 && document.querySelectorAll('.answer').length === 2);
    await exec.page.getByRole('button', { name: 'Отправить на утверждение' }).click();
    await exec.page.waitForSelector('body[data-case-status="on_approval"]');
    expect(exec.errors).toEqual([]);
    expect(exec.foreign).toEqual([]);
    await exec.page.context().close();
  });

  it('leader approves from the approval queue and the answer reaches the citizen', async () => {
    const answer = 'Здравствуйте! Яма на проезде у дома по улице Ленина, 12 заделана асфальтом 26 ноября, проезд открыт. ' +
      'Фото выполненных работ прилагаем. Телефон для справок: 8 (391) 226-10-10. С уважением, администрация Центрального района.';
    const lead = await staffPage(browser, system, 'desk-leader');
    await lead.page.waitForSelector('body[data-desk-ready="true"]');
    const queue = lead.page.locator('#desk-approval');
    await queue.locator(`tr[data-case="${caseId}"]`).waitFor();
    await screenshot(lead.page, 'desk-leader');
    await queue.locator(`tr[data-case="${caseId}"] a`).click();
    await lead.page.waitForSelector('body[data-case-status="on_approval"]');
    expect(await lead.page.getByLabel('Текст ответа').inputValue()).toBe(answer);
    await lead.page.getByRole('button', { name: 'Утвердить и отправить ответ' }).click();
    await lead.page.waitForFunction(() => ['approved', 'answered'].includes(document.body.dataset.caseStatus ?? ''));
    // The 122 caller gets the answer by SMS (recorded here: no SMS gateway), whole when it fits; the status page the SMS
    // links, with the token only the deployment's secret gives, has it with its attachments.
    const delivered = await eventually(async () => {
      const r = await system.db.query<{ channel: string; text: string }>(`select channel, text from outbound_deliveries where case_id = $1 and kind = 'answer'`,
        [caseId]);
      return r.rows[0];
    }, 20_000, 'answer recorded for the citizen');
    expect(delivered).toMatchObject({ channel: 'sms', text: expect.stringMatching(/^Ответ на сообщение № \d{4}-\d{6}: Здравствуйте! Яма на проезде/) });
    expect(delivered!.text).toContain('С уважением, администрация Центрального района.');
    const number = (await system.db.query<{ n: string }>('select registration_number as n from cases where id = $1', [caseId])).rows[0]!.n;
    const link = createStatusLinks({ secret: await loadOrCreateSalt(system.db), baseUrl: system.url! }).url({ id: caseId, registrationNumber: number });
    expect(await (await fetch(link)).text()).toContain('Яма на проезде у дома по улице Ленина, 12 заделана');
    await lead.page.reload();
    await lead.page.waitForSelector('body[data-case-status="answered"]');
    await screenshot(lead.page, 'desk-leader-answered');
    expect(lead.errors).toEqual([]);
    expect(lead.foreign).toEqual([]);
  });

  it('works on a phone-sized screen and keeps cookie sessions safe from cross-site changes', async () => {
    const phone = await staffPage(browser, system, 'desk-leader', { viewport: { width: 390, height: 844 } });
    await phone.page.goto(`${system.url}/cases/${caseId}`);
    await phone.page.waitForSelector('body[data-case-status]');
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(phone.page, 'desk-case-phone');

    // The browser's cookie without the page scripts' header cannot change anything (CSRF); with it, it can read.
    const cookies = await phone.page.context().cookies();
    const session = cookies.find((c) => c.name === 'otklik_token')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const cookie = `otklik_token=${session.value}`;
    const forged = await fetch(`${system.url}/api/v1/cases/${caseId}/return`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ expectedVersion: 0, comment: 'x' }) });
    expect(forged.status).toBe(403);
    const read = await fetch(`${system.url}/api/v1/me`, { headers: { cookie } });
    expect(read.status).toBe(200);
    const unauth = await fetch(`${system.url}/desk`, { redirect: 'manual' });
    expect(unauth.status).toBe(303);
    expect(unauth.headers.get('location')).toBe('/login?next=%2Fdesk');
    // The inbox belongs to the monitoring team: a leader's session is refused there.
    const bad = await fetch(`${system.url}/api/v1/dashboard/inbox?sort=sideways`, { headers: { cookie } });
    expect(bad.status).toBe(403);
    await phone.page.context().close();
  });
});
