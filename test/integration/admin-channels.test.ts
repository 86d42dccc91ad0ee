/**
 * Channel settings on the administration page reach every network (issues #21, #22): MAX and Одноклассники are set up
 * there like VK and Telegram, their secrets are write-only, and a MAX bot that would make ingest refuse to start (a
 * public address without the webhook's secret) is refused when saved. The region page sets the signals' hours and the
 * deadline reminders' days too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

interface Setting {
  key: string;
  network: string;
  kind: string;
  set: boolean;
  value?: unknown;
}

describe('channel settings of MAX and Одноклассники', () => {
  let system: Otklik;
  let admin: string;

  const call = async (method: string, body?: unknown) => {
    const res = await fetch(`${system.url}/api/v1/settings/channels`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
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
    expect(view.settings.filter((s) => s.network === 'ok').map((s) => s.key)).toEqual(['ok.webhookSecret', 'ok.groups', 'ok.applicationKey',
      'ok.applicationSecretKey', 'ok.accessToken']);
  });

  it('refuses a MAX bot without the webhook secret where Otklik has a public address, and never returns a secret', async () => {
    const refused = await call('PUT', { values: { 'max.botToken': 'max-token-1' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/MAX: при публичном адресе Отклика нужен секрет вебхука/);

    const saved = await call('PUT', {
      values: { 'max.botToken': 'max-token-1', 'max.webhookSecret': 'max-secret-1', 'ok.accessToken': 'ok-token-1', 'ok.applicationKey': 'CBAQKLMNOP' },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const byKey = new Map(saved.body.settings.map((s) => [s.key, s]));
    expect(byKey.get('max.botToken')).toMatchObject({ set: true });
    expect(byKey.get('max.botToken')).not.toHaveProperty('value');
    expect(byKey.get('ok.accessToken')).not.toHaveProperty('value');
    expect(byKey.get('ok.applicationKey')).toMatchObject({ set: true, value: 'CBAQKLMNOP' });
    expect(JSON.stringify(saved.body)).not.toMatch(/max-token-1|max-secret-1|ok-token-1/);
  });

  it('takes the Одноклассники groups with their bot keys on the page, write-only, and refuses a list that is not groups', async () => {
    const refused = await call('PUT', { values: { 'ok.groups': 'группа-региона:ключ-бота' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/^Группы ОК и ключи их ботов: каждая группа — числовой id/);
    const saved = await call('PUT', { values: { 'ok.groups': '53038939046008:tkn1-group-key, 54000000000001' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const groups = saved.body.settings.find((s) => s.key === 'ok.groups')!;
    expect(groups).toMatchObject({ set: true, kind: 'secret', apply: 'restart' });
    expect(groups).not.toHaveProperty('value');
    expect(JSON.stringify(saved.body)).not.toContain('tkn1-group-key');
  });
});

describe("the signals' hours on the region page", () => {
  let system: Otklik;
  let admin: string;
  beforeAll(async () => {
    system = await startTestSystem({}, ['workflow']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('stamps the next signal with the reaction term an administrator set, without a restart', async () => {
    const put = await fetch(`${system.url}/api/v1/settings/region`, { method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ signals: { reactionHours: { default: 12, fastTrack: 4 } } }) });
    const view = (await put.json()) as { effective: { signals: { reactionHours: { default: number }; answerHours: { default: number }; spike: unknown } } };
    expect(put.status).toBe(200);
    // The pair set here replaces the file's; the rest of the file's signals section stays.
    expect(view.effective.signals).toMatchObject({ reactionHours: { default: 12, fastTrack: 4 }, answerHours: { default: 72, fastTrack: 24 } });
    expect(view.effective.signals.spike).toBeDefined();

    let n = 0;
    // The workflow hears of the change through the settings watch: a signal registered after it carries the new term.
    const due = await eventually(async () => {
      const signal = buildClassified({ source: 'vk', externalId: `wall-111_7001_c${++n}`, provenance: { ownerId: '-111', thread: 'own' }, origin: 'signal',
        receivedAt: new Date(Date.now() - 60_000).toISOString(), incidentId: 'region-hours-1' });
      await system.queues.classified.add('classified', signal);
      const r = await system.db.query<{ received_at: Date; reaction_due_at: Date }>(
        "select received_at, reaction_due_at from signals where incident_id = 'region-hours-1' order by reaction_due_at desc limit 1",
      );
      const row = r.rows[0];
      return row && row.reaction_due_at.getTime() - row.received_at.getTime() === 12 * 3_600_000 ? row : undefined;
    }, 20_000, 'a signal with the 12-hour term');
    expect(due.reaction_due_at.getTime() - due.received_at.getTime()).toBe(12 * 3_600_000);
  });

  it("plans a new case's «N days left» reminders on the days an administrator set, over the environment's", async () => {
    const region = async (method: 'GET' | 'PUT', body?: unknown) => {
      const res = await fetch(`${system.url}/api/v1/settings/region`, { method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { fromFile: { reminderDays: number[] }; effective: { reminderDays: number[] } } };
    };
    // The default the page shows is OTKLIK_REMINDER_DAYS (3,1), since config/region.yaml names none.
    expect((await region('GET')).body.fromFile.reminderDays).toEqual([3, 1]);
    expect((await region('PUT', { reminderDays: [0] })).status).toBe(400);
    const put = await region('PUT', { reminderDays: [2, 5, 2] });
    expect(put.status).toBe(200);
    expect(put.body.effective.reminderDays).toEqual([5, 2]);

    // The workflow hears of the change through the settings watch: an appeal registered after it gets the new days.
    const sent: string[] = [];
    const kinds = await eventually(async () => {
      const appeal = buildClassified({ origin: 'appeal', provenance: { via: 'bot' }, receivedAt: new Date(Date.now() - 60_000).toISOString() });
      sent.push(appeal.message.messageId);
      await system.queues.classified.add('classified', appeal);
      const r = await system.db.query<{ kinds: string[] }>(
        `select array_agg(r.kind order by r.due_at) as kinds from case_reminders r join cases c on c.id = r.case_id
          where c.message_id::text = any($1) group by c.id`,
        [sent],
      );
      return r.rows.map((x) => x.kinds).find((k) => k.includes('before-5d'));
    }, 20_000, 'a case with reminders 5 and 2 days before its deadline');
    expect(kinds).toEqual(['before-5d', 'before-2d', 'overdue']);
  });
});
