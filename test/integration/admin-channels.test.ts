/**
 * Channel settings on the administration page reach every network (issues #21, #22): MAX and Одноклассники are set up
 * there like VK and Telegram, their secrets are write-only, and a MAX bot that would make ingest refuse to start (a
 * public address without the webhook's secret) is refused when saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { loginAs, startTestSystem } from '../support.js';

interface Setting { key: string; network: string; kind: string; set: boolean; value?: unknown }

describe('channel settings of MAX and Одноклассники', () => {
  let system: Otklik;
  let admin: string;

  const call = async (method: string, body?: unknown) => {
    const res = await fetch(`${system.url}/api/v1/settings/channels`, {
      method, headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as { networks: { id: string; name: string }[]; settings: Setting[]; error?: string } };
  };

  beforeAll(async () => {
    system = await startTestSystem({ OTKLIK_PUBLIC_URL: 'https://otklik.example.ru' }, ['workflow']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('lists both networks with their settings', async () => {
    const view = (await call('GET')).body;
    expect(view.networks).toEqual(expect.arrayContaining([{ id: 'max', name: 'MAX' }, { id: 'ok', name: 'Одноклассники' }]));
    expect(view.settings.filter((s) => s.network === 'max').map((s) => s.key)).toEqual(['max.botToken', 'max.webhookSecret']);
    expect(view.settings.filter((s) => s.network === 'ok').map((s) => s.key)).toEqual(['ok.webhookSecret', 'ok.applicationKey', 'ok.applicationSecretKey', 'ok.accessToken']);
  });

  it('refuses a MAX bot without the webhook secret where Otklik has a public address, and never returns a secret', async () => {
    const refused = await call('PUT', { values: { 'max.botToken': 'max-token-1' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/MAX: при публичном адресе Отклика нужен секрет вебхука/);

    const saved = await call('PUT', { values: { 'max.botToken': 'max-token-1', 'max.webhookSecret': 'max-secret-1', 'ok.accessToken': 'ok-token-1',
      'ok.applicationKey': 'CBAQKLMNOP' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const byKey = new Map(saved.body.settings.map((s) => [s.key, s]));
    expect(byKey.get('max.botToken')).toMatchObject({ set: true });
    expect(byKey.get('max.botToken')).not.toHaveProperty('value');
    expect(byKey.get('ok.accessToken')).not.toHaveProperty('value');
    expect(byKey.get('ok.applicationKey')).toMatchObject({ set: true, value: 'CBAQKLMNOP' });
    expect(JSON.stringify(saved.body)).not.toMatch(/max-token-1|max-secret-1|ok-token-1/);
  });
});
