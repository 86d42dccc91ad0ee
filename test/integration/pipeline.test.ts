import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { startOtklik } from '../../main.js';
import { createLogger } from '../../lib/logger.js';
import { termEnd } from '../../lib/region-time.js';
import { eventually, loginAs, testConfig } from '../support.js';

interface CaseItem {
  registrationNumber: string;
  category: string;
  fastTrack: boolean;
  deadlineDays: number;
  registeredAt: string;
  deadlineAt: string;
  source: string;
  externalId: string;
  status: string;
}

function buildCallCard(overrides: Record<string, unknown> = {}) {
  return {
    callId: `call-${Math.random().toString(36).slice(2)}`,
    receivedAt: '2026-11-20T09:15:00+07:00',
    text: 'В доме по улице Ленина 12 уже третий день нет горячей воды, управляющая компания на звонки не отвечает.',
    phone: '+7 (391) 222-33-44',
    name: 'Петрова Анна',
    address: 'Красноярск, ул. Ленина, 12',
    municipality: 'город Красноярск',
    ...overrides,
  };
}

async function postCall(system: Otklik, card: unknown, secret = 'test-secret', raw?: string) {
  const body = raw ?? JSON.stringify(card);
  return fetch(`${system.url}/api/v1/contact-center/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signBody(secret, body) },
    body,
  });
}

async function drained(system: Otklik) {
  const counts = await Promise.all(Object.values(system.queues).map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
  return counts.every((c) => Object.values(c).every((n) => n === 0));
}

async function summaryOf(system: Otklik) {
  const res = await fetch(`${system.url}/api/v1/analytics/summary`);
  return (await res.json()) as { byCategory: { category: string; count: number }[]; bySource: { source: string; count: number }[] };
}

describe('the foundation slice: a 122 call card becomes a case and a count', () => {
  let system: Otklik;
  let token: string;
  const config = testConfig();

  beforeAll(async () => {
    system = await startOtklik(await config, ['ingest', 'classify', 'workflow', 'analytics', 'dashboard'], createLogger('silent'));
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
  });

  const listCases = async (query = '') => {
    const res = await fetch(`${system.url}/api/v1/cases?limit=500${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: CaseItem[] }).items;
  };

  it('registers a signed call card as a classified case with its deadline and counts it in ClickHouse', async () => {
    const card = buildCallCard({ callId: 'kc-0001' });
    const res = await postCall(system, card);
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);

    const [item] = await eventually(async () => {
      const items = (await listCases('&source=contact_center')).filter((c) => c.externalId === 'kc-0001');
      return items.length ? items : undefined;
    }, 10_000, 'the case');
    expect(item!.category).toBe('ЖКХ');
    expect(item!.fastTrack).toBe(true);
    expect(item!.deadlineDays).toBe(10);
    // The term ends at the end of the region's day ten calendar days on (lib/region-time.ts termEnd, config/region.yaml's zone).
    expect(item!.deadlineAt).toBe(termEnd(new Date(item!.registeredAt), 10, 'Asia/Krasnoyarsk').toISOString());
    expect(item!.registrationNumber).toMatch(/^\d{4}-\d{6}$/);

    const summary = await eventually(async () => {
      const s = await summaryOf(system);
      // Sources and categories are separate rollups filled one after the other from the same insert.
      return s.bySource.find((r) => r.source === 'contact_center')?.count === 1 && s.byCategory.length > 0 ? s : undefined;
    }, 10_000, 'summary counts');
    expect(summary.byCategory).toEqual([{ category: 'ЖКХ', count: 1 }]);
  });

  it('gives a standard 30-day deadline to a non-fast-track message', async () => {
    const card = buildCallCard({ callId: 'kc-0002', text: 'Прошу отремонтировать спортивную площадку и установить новые тренажёры на стадионе школы №5.' });
    expect((await postCall(system, card)).status).toBe(202);
    const item = await eventually(async () => (await listCases()).find((c) => c.externalId === 'kc-0002'), 10_000, 'case 2');
    expect(item.fastTrack).toBe(false);
    expect(item.deadlineDays).toBe(30);
  });

  it('makes one case and one count when the same call is posted twice', async () => {
    const card = buildCallCard({ callId: 'kc-dup' });
    const first = await postCall(system, card);
    const second = await postCall(system, card);
    expect(second.status).toBe(202);
    expect(((await second.json()) as { messageId: string }).messageId).toBe(((await first.json()) as { messageId: string }).messageId);
    await eventually(async () => (await listCases()).some((c) => c.externalId === 'kc-dup'), 10_000, 'dup case');
    // A third post after the first finished must not count either.
    expect((await postCall(system, card)).status).toBe(202);
    await eventually(() => drained(system), 10_000, 'queues to drain');
    expect((await listCases()).filter((c) => c.externalId === 'kc-dup')).toHaveLength(1);
    const s = await eventually(async () => {
      const x = await summaryOf(system);
      return x.bySource.find((r) => r.source === 'contact_center')?.count === 3 ? x : undefined;
    }, 10_000, 'three distinct calls counted');
    expect(s.bySource).toEqual([{ source: 'contact_center', count: 3 }]);
  });

  it('refuses bad signatures, bad JSON and incomplete cards with JSON errors, enqueuing nothing', async () => {
    const before = await system.queues.incoming.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    const card = buildCallCard();
    const forged = await postCall(system, card, 'wrong-secret');
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toMatch(/X-Signature/);

    const unsigned = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(card) });
    expect(unsigned.status).toBe(401);

    const badJson = await postCall(system, undefined, 'test-secret', '{"callId": "x", ');
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/JSON/);

    const noText = await postCall(system, { ...card, text: undefined });
    expect(noText.status).toBe(400);
    expect(((await noText.json()) as { error: string }).error).toMatch(/text/);

    const noCallId = await postCall(system, { ...card, callId: '' });
    expect(noCallId.status).toBe(400);
    expect(((await noCallId.json()) as { error: string }).error).toMatch(/callId/);

    const after = await system.queues.incoming.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(after).toBe(before);
  });

  it('needs a token for the cases API and says healthz is ok', async () => {
    expect((await fetch(`${system.url}/api/v1/cases`)).status).toBe(401);
    expect((await fetch(`${system.url}/api/v1/cases`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const health = await fetch(`${system.url}/healthz`);
    expect(health.status).toBe(200);
    // Channels without settings say so: only the 122 webhook is configured here. Stores are named without passwords.
    const cfg = await config;
    expect(await health.json()).toEqual({ status: 'ok', redis: 'ok', postgres: 'ok', clickhouse: 'ok',
      stores: { redis: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+$/), postgres: expect.stringMatching(/^postgres:\/\/otklik@127\.0\.0\.1:\d+\/otk_/),
        clickhouse: `embedded (chDB):${cfg.dataDir}` },
      channels: { contact_center: 'on', vk: 'off', vk_outbound: 'off', vk_search: 'off', telegram: 'off', max: 'off', ok: 'off', ok_comments: 'off',
        widget: 'off' } });
  });

  it('keeps cases and counts across a stop and a start', async () => {
    const cfg = await config;
    const before = await summaryOf(system);
    const casesBefore = await listCases();
    await system.stop();
    system = await startOtklik(cfg, ['ingest', 'classify', 'workflow', 'analytics', 'dashboard'], createLogger('silent'));
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
    expect(await summaryOf(system)).toEqual(before);
    expect((await listCases()).map((c) => c.registrationNumber).sort()).toEqual(casesBefore.map((c) => c.registrationNumber).sort());
  });
});

describe('contact center intake without a configured secret', () => {
  it('answers 503 saying what is missing', async () => {
    const system = await startOtklik(await testConfig({ CONTACT_CENTER_SECRET: '' }), ['ingest'], createLogger('silent'));
    try {
      const res = await postCall(system, buildCallCard());
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toMatch(/CONTACT_CENTER_SECRET/);
    } finally {
      await system.stop();
    }
  });
});
