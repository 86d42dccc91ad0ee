/**
 * The contract of issue #18 end to end, as a probe checks it: with the VK Callback API configured (and keyword
 * monitoring through newsfeed.search), a thank-you under the official community's post, a search hit on another
 * owner's wall and a complaint comment make no call of `wall.createComment` or `messages.send`; the messages listing
 * shows each with its kind, incident, no case and its reaction deadline. A community message (an appeal) beside
 * them is still answered, so the silence is the rule's and not a broken channel's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { buildVkCallback, buildVkComment, buildVkMessage, buildVkPost } from '../fakes/payloads.js';
import { eventually, listedMessages, moderatorToken, postJson, startTestSystem } from '../support.js';

interface Listed {
  externalId: string;
  receivedAt: string;
  origin: string;
  kind: string | null;
  incidentId: string | null;
  caseId: string | null;
  reactionDueAt: string | null;
  registrationNumber: string | null;
}

describe('probe: signals are never answered automatically', () => {
  let vk: FakeVk;
  let system: Otklik;
  let token: string;
  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token', 'service-token'] });
    vk.searchIndex.push(
      buildVkPost({ id: 88001, owner_id: -7777, from_id: 31337, date: Math.floor(Date.now() / 1000) - 600,
        text: 'Ачинск: на улице Кирова третий день нет горячей воды, управляющая компания молчит' }),
    );
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: '111:conf-111',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      VK_GROUP_TOKEN: 'group-token',
      VK_SERVICE_TOKEN: 'service-token',
      VK_SEARCH_KEYWORDS: 'ачинск',
      VK_SEARCH_INTERVAL_SECONDS: '5',
      VK_API_BASE_URL: vk.apiBaseUrl,
    }, ['ingest', 'classify', 'workflow']);
    // The monitoring team reads the listing with each message's ids (a region administrator's omits those of persons).
    token = await moderatorToken(system.url!);
  });
  afterAll(async () => {
    await system?.stop();
    await vk?.close();
  });

  const post = (body: unknown) => postJson(system.url!, '/webhooks/vk', body);
  const listed = () => listedMessages<Listed>(system.url!, token, 'vk');
  const replies = () => vk.calls.filter((c) => c.method === 'wall.createComment' || c.method === 'messages.send');

  it('lists the three with kind, incident, no case and a reaction deadline within 24 h, and calls no reply method', async () => {
    const thanks = buildVkComment({ id: 9201, owner_id: -111, post_id: 500, from_id: 4001, text: 'Спасибо большое за быстрый ремонт дороги, очень приятно!' });
    const complaint = buildVkComment({ id: 9202, owner_id: -111, post_id: 500, from_id: 4002,
      text: 'А у нас во дворе на Мира 7 уже месяц не вывозят мусор, контейнеры переполнены, крысы бегают' });
    const started = Date.now();
    for (const c of [thanks, complaint]) expect((await post(buildVkCallback('wall_reply_new', c, { secret: 'cb-secret' }))).status).toBe(200);
    // An appeal sent to the community in the same minute: it is acknowledged, with messages.send.
    expect(
      (await post(buildVkCallback('message_new', buildVkMessage({ peer_id: 700500, from_id: 700500, conversation_message_id: 3 }), { secret: 'cb-secret' })))
        .status,
    ).toBe(200);

    const ids = ['wall-111_500_c9201', 'wall-111_500_c9202', 'wall-7777_88001'];
    const items = await eventually(async () => {
      const all = await listed();
      const found = ids.map((id) => all.find((m) => m.externalId === id));
      return found.every((m) => m?.incidentId) ? (found as Listed[]) : undefined;
    }, 30_000, 'the three signals listed');
    for (const m of items) {
      expect(m.origin).toBe('signal');
      expect(['complaint', 'question', 'other']).toContain(m.kind);
      expect(m.caseId).toBeNull();
      expect(m.registrationNumber).toBeNull();
      if (m.kind === 'other') expect(m.reactionDueAt).toBeNull();
      else {
        const hours = (Date.parse(m.reactionDueAt!) - Date.parse(m.receivedAt)) / 3600_000;
        expect(hours).toBeGreaterThan(0);
        expect(hours).toBeLessThanOrEqual(24);
      }
    }
    const complaintItem = items[1]!;
    expect(complaintItem.kind).not.toBe('other');

    // The appeal's acknowledgement proves the way out works; nothing else may use it for 20 s after the signals came.
    const ack = await eventually(async () => vk.sentMessages.find((m) => m.peerId === 700500), 20_000, 'the appeal acknowledged');
    expect(ack.message).toMatch(/зарегистрировано/);
    await new Promise((r) => setTimeout(r, Math.max(0, started + 20_000 - Date.now())));
    expect(replies().map((c) => [c.method, c.params.owner_id ?? c.params.peer_id])).toEqual([['messages.send', '700500']]);
    expect(vk.comments).toEqual([]);
  }, 60_000);
});
