/**
 * The administration pages as an organization's administrator sees them in chromium (issue #21): only the
 * organizations they administer, each with «Изменить» and «История»; the history of their organization opens on the
 * audit page; another organization is neither shown nor editable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Otklik } from '../../main.js';
import { loginAs, startTestSystem } from '../support.js';
import { launchBrowser, screenshot } from './browser.js';
import { adminToken, call, createOrg, createStaff, PASSWORD, staffPage } from './staff.js';

describe('administration pages of an organization administrator in chromium', () => {
  let system: Otklik;
  let browser: Browser;
  let admin: string;
  let own: string;
  let other: string;

  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'dashboard']);
    browser = await launchBrowser();
    admin = await adminToken(system);
    const city = await createOrg(system, admin, 'Администрация города Норильска');
    own = await createOrg(system, admin, 'Управление образования Норильска', city);
    other = await createOrg(system, admin, 'Управление ЖКХ Норильска', city);
    expect((await call(system, `/api/v1/organizations/${own}`, 'PATCH', admin, { ogrn: '1022401623408' })).status).toBe(200);
    await createStaff(system, admin, 'nor.orgadmin', 'Администратор управления образования', [{ role: 'administrator', organizationId: own }]);
    await createStaff(system, admin, 'nor.coordinator', 'Координатор управления образования', [{ role: 'coordinator', organizationId: own }]);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('shows «Изменить» and «История» only for their own organization, saves an edit and opens its history', async () => {
    const { page, errors, foreign } = await staffPage(browser, system, 'nor.orgadmin', { next: '/admin/organizations' });
    await page.waitForSelector('body[data-orgs-ready]');
    const tree = page.locator('#org-tree');
    await expect.poll(() => tree.textContent()).toContain('Управление образования Норильска');
    expect(await tree.textContent()).not.toContain('Управление ЖКХ Норильска');
    expect(await tree.textContent()).not.toContain('Администрация города Норильска');
    expect(await page.getByRole('button', { name: /^Изменить/ }).allTextContents()).toEqual(['Изменить «Управление образования Норильска»']);
    expect(await page.getByRole('link', { name: /^История/ }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Ваши организации' }).count()).toBe(1);
    expect(await page.locator('#org-create-card').isVisible()).toBe(false);
    expect(await tree.textContent()).toContain('координаторов: 1');

    await page.getByRole('button', { name: 'Изменить «Управление образования Норильска»' }).click();
    const form = page.locator(`form[data-org-edit="${own}"]`);
    await form.getByLabel('ИНН').fill('2457009983');
    await form.getByLabel('ЛКО готов к работе').check();
    await form.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Организация «Управление образования Норильска» сохранена.').waitFor();
    await expect.poll(() => tree.textContent()).toContain('ИНН 2457009983');
    await screenshot(page, 'admin-organizations-org-admin');

    await Promise.all([page.waitForURL((u) => u.pathname === '/admin/audit'), page.getByRole('link', { name: /^История/ }).click()]);
    await page.waitForSelector('body[data-audit-ready]');
    expect(await page.getByLabel('Организация').locator('option').allTextContents()).toEqual(['Управление образования Норильска']);
    const audit = await page.locator('#audit-list').textContent();
    expect(audit).toContain('Администратор управления образования');
    // Field names and values in Russian words, not the JSON the API stores.
    expect(audit).toContain('ИНН: — → «2457009983»; ЛКО готов к работе: нет → да');
    expect(audit).toContain('ОГРН: — → «1022401623408»');
    expect(audit).toContain('Организация «Управление образования Норильска»');
    expect(audit).not.toMatch(/[{}"]|readyConfirmed|inn:/);
    expect(await page.locator('#audit-list tbody tr').count()).toBe(3); // created, the region admin's edit, this edit
    await screenshot(page, 'admin-audit-org-admin');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();

    // What the page does not offer, the API refuses too.
    const token = await loginAs(system.url!, 'nor.orgadmin', PASSWORD);
    expect((await call(system, `/api/v1/organizations/${other}`, 'PATCH', token, { inn: '2457009983' })).status).toBe(403);
    expect((await call(system, `/api/v1/audit?entity=organization&entityId=${other}`, 'GET', token)).status).toBe(403);
  });
});
