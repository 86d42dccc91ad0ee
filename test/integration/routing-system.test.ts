/**
 * Routing wired by main.ts: the table and settings seeded from config/routing.yaml on first start (and not again),
 * the routing API in the workflow's OpenAPI document, and the /routing admin page behind the staff session.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Otklik } from '../../main.js';
import { seedRouting } from '../../workflow/routing/store.js';
import { loginAs, startTestSystem } from '../support.js';

describe('routing in a running Otklik', () => {
  let system: Otklik;
  let token: string;
  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow', 'dashboard']);
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => fetch(`${system.url}${path}`, { headers, redirect: 'manual' });

  it('seeds routing table version 1 and the settings from config/routing.yaml once', async () => {
    const yaml = parseYaml(fs.readFileSync('config/routing.yaml', 'utf8'));
    const table = await (await get('/api/v1/routing/table', { authorization: `Bearer ${token}` })).json();
    expect(table.version).toBe(1);
    expect(table.rules).toEqual(yaml.rules);
    const settings = await (await get('/api/v1/routing/settings', { authorization: `Bearer ${token}` })).json();
    expect(settings).toMatchObject({ threshold: yaml.threshold, coordinatingOrganization: yaml.coordinatingOrganization,
      adjustMinSample: yaml.adjustMinSample });
    expect(await seedRouting(system.db, system.config.routingConfigPath)).toBeUndefined();
    const openapi = await (await get('/api/v1/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/routing/table', '/api/v1/routing/dry-run', '/api/v1/routing/stats']));
  });

  it('serves the routing page to signed-in staff only', async () => {
    const anonymous = await get('/routing');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Frouting');
    const page = await get('/routing', { cookie: `otklik_token=${encodeURIComponent(token)}` });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Маршрутизация обращений</h1>');
    expect(html).toContain('data-admin="1"');
    const script = await get('/assets/js/routing.js');
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('/api/v1/routing/stats');
  });
});
