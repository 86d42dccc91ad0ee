import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorHash } from '../../lib/hash.js';
import { createVkApi } from '../../ingest/vk/api.js';
import { runVkLongPoll } from '../../ingest/vk/long-poll.js';
import { sweepKeyword, type NewsfeedCursor } from '../../ingest/vk/newsfeed.js';
import type { Otklik } from '../../main.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { startIntakeHarness } from '../fakes/intake-harness.js';
import { buildVkCallback, buildVkComment, buildVkMessage, buildVkPost, vkPhoto } from '../fakes/payloads.js';
import { eventually, listedMessages, moderatorToken, postJson, startTestSystem } from '../support.js';

const SALT = 'vk-test-salt';
interface MessageItem {
  messageId: string;
  source: string;
  externalId: string;
  authorHash: string;
  text: string;
  link: string;
  attachments: { kind: string; ref: string }[];
  registrationNumber: string | null;
  origin: string;
  incidentId: string | null;
  caseId: string | null;
  reactionDueAt: string | null;
}

describe('VK Callback API and replies from the official community', () => {
  let vk: FakeVk;
  let system: Otklik;
  let token: string;
  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token'] });
    system = await startTestSystem({
      OTKLIK_HASH_SALT: SALT,
      VK_CALLBACK_CONFIRMATION: '111:conf-111,222:conf-222',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111,222',
      VK_GROUP_TOKEN: 'group-token',
      VK_API_BASE_URL: vk.apiBaseUrl,
    }, ['ingest', 'classify', 'workflow']);
    // The monitoring team reads the listing with the ids that reach each author (a region administrator's omits them).
    token = await moderatorToken(system.url!);
  });
  afterAll(async () => {
    await system?.stop();
    await vk?.close();
  });

  const post = (body: unknown) => postJson(system.url!, '/webhooks/vk', body);
  const messages = () => listedMessages<MessageItem>(system.url!, token, 'vk');

  it('answers the confirmation of each community with its own code', async () => {
    const a = await post({ type: 'confirmation', group_id: 111, secret: 'cb-secret' });
    expect([a.status, await a.text()]).toEqual([200, 'conf-111']);
    const b = await post({ type: 'confirmation', group_id: 222, secret: 'cb-secret' });
    expect(await b.text()).toBe('conf-222');
  });

  it('refuses a wrong secret, an unknown community and a malformed body, storing nothing', async () => {
    const comment = buildVkComment({ id: 9001 });
    const wrong = await post(buildVkCallback('wall_reply_new', comment, { secret: 'nope' }));
    expect(wrong.status).toBe(403);
    const unknown = await post(buildVkCallback('wall_reply_new', comment, { group_id: 999, secret: 'cb-secret' }));
    expect(unknown.status).toBe(403);
    const bad = await post({ type: 'wall_reply_new' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/group_id/);
    expect(await system.ingest!.intake.seen((await import('../../lib/ids.js')).messageIdFor('vk', 'wall-111_4242_c9001'))).toBe(false);
  });

  it('stores a comment with source, author hash, text, link and attachments as a signal; a redelivery makes one message; nothing is posted back', async () => {
    const comment = buildVkComment({ id: 7001, owner_id: -111, post_id: 4242, from_id: 123456789, attachments: [vkPhoto(123456789, 555)] });
    const event = buildVkCallback('wall_reply_new', comment, { secret: 'cb-secret' });
    for (let i = 0; i < 3; i++) {
      const res = await post(event);
      expect([res.status, await res.text()]).toEqual([200, 'ok']);
    }
    const item = await eventually(async () => (await messages()).find((m) => m.externalId === 'wall-111_4242_c7001' && m.incidentId), 15_000, 'stored comment');
    expect(item).toMatchObject({
      source: 'vk',
      text: comment.text,
      link: 'https://vk.com/wall-111_4242?reply=7001',
      authorHash: authorHash(SALT, 'vk', '123456789'),
      origin: 'signal',
      caseId: null,
      registrationNumber: null,
    });
    expect(item.attachments).toEqual([expect.objectContaining({ kind: 'photo', ref: 'photo123456789_555_a1b2c3' })]);
    expect((await messages()).filter((m) => m.externalId === 'wall-111_4242_c7001')).toHaveLength(1);
    // What the monitoring found is a signal for the team: no «registered» comment under the post (it used to be one).
    await eventually(async () => (await system.queues.classified.getJobCounts('waiting', 'active')).waiting === 0, 10_000, 'workflow idle');
    expect(vk.calls.filter((c) => c.method === 'wall.createComment')).toEqual([]);
    const stats = await (await fetch(`${system.url}/api/v1/ingest/stats`, { headers: { authorization: `Bearer ${token}` } })).json() as {
      counters: { vk: { received: number; sent: number; dropped: Record<string, number> } };
    };
    expect(stats.counters.vk.received).toBeGreaterThanOrEqual(1);
    expect(stats.counters.vk.dropped.duplicate).toBeGreaterThanOrEqual(2);
  });

  it('takes community messages as appeals and answers them with messages.send, waiting out a rate limit', async () => {
    const msg = buildVkMessage({ peer_id: 555000222, from_id: 555000222, conversation_message_id: 17 });
    vk.failNext('messages.send', 'rate'); // error 6 on the reply: vk-io waits and repeats it
    expect((await post(buildVkCallback('message_new', msg, { secret: 'cb-secret' }))).status).toBe(200);
    const item = await eventually(async () => (await messages()).find((m) => m.externalId === 'msg555000222_17' && m.registrationNumber), 15_000,
      'stored message');
    expect(item.link).toBe('https://vk.com/gim111?sel=555000222');
    expect(item).toMatchObject({ origin: 'appeal', reactionDueAt: null, caseId: expect.any(String) });
    const sent = await eventually(async () => vk.sentMessages.find((m) => m.peerId === 555000222), 20_000, 'messages.send');
    expect(sent.message).toContain(item.registrationNumber!);
    expect(vk.calls.filter((c) => c.method === 'messages.send').length).toBeGreaterThanOrEqual(2); // the rate-limited try and the real one
    expect(vk.sentMessages.filter((m) => m.peerId === 555000222)).toHaveLength(1);
    await eventually(async () => {
      const stats = await (await fetch(`${system.url}/api/v1/ingest/stats`, { headers: { authorization: `Bearer ${token}` } })).json() as {
        counters: { vk: { sent: number } };
      };
      return stats.counters.vk.sent >= 1;
    }, 10_000, 'the delivery counted');
  });

  it('says which VK modes are on in /healthz', async () => {
    const h = (await (await fetch(`${system.url}/healthz`)).json()) as { channels: Record<string, string> };
    expect(h.channels).toMatchObject({ vk: 'callback', vk_outbound: 'on', vk_search: 'off', telegram: 'off', widget: 'off' });
  });
});

describe('VK Bots Long Poll and newsfeed.search pollers', () => {
  let vk: FakeVk;
  let h: Awaited<ReturnType<typeof startIntakeHarness>>;
  beforeAll(async () => {
    vk = await startFakeVk({ tokens: ['group-token', 'service-token'], searchPageSize: 10 });
    h = await startIntakeHarness();
  });
  afterAll(async () => {
    await h?.close();
    await vk?.close();
  });

  it('long poll: takes events, survives error 6 and a dropped connection, and resumes from the saved ts after a restart', async () => {
    const api = createVkApi({ token: 'group-token', apiBaseUrl: vk.apiBaseUrl, perSecond: 20, retryWaitMs: 50 });
    const deps = { api, groupId: 111, ownGroupIds: [111], intake: h.intake, cursors: h.cursors, salt: SALT,
      logger: (await import('../../lib/logger.js')).createLogger('silent'), waitSeconds: 1 };
    vk.failNext('groups.getLongPollServer', 'rate');
    vk.failNext('longpoll', 'network');
    let stop = new AbortController();
    let run = runVkLongPoll(deps, stop.signal);
    // A first start begins at VK's current ts: events come after the poller connected.
    await eventually(async () => vk.longPollRequests.length > 0, 20_000, 'first long poll request');
    vk.pushLongPoll(111, 'wall_reply_new', buildVkComment({ id: 1, post_id: 10 }));
    vk.pushLongPoll(111, 'wall_post_new', buildVkPost({ id: 11 }));
    await eventually(async () => (await h.incomingIds()).length === 2, 20_000, 'first two events');
    await eventually(async () => (await h.cursors.get<{ ts: string }>('vk:longpoll:111'))?.ts === '3', 5000, 'cursor saved');
    stop.abort();
    await run;

    // While the adapter is down the community gets more events; a restart must fetch exactly those.
    vk.pushLongPoll(111, 'message_new', buildVkMessage({ peer_id: 77, from_id: 77, conversation_message_id: 1 }));
    vk.pushLongPoll(111, 'wall_reply_new', buildVkComment({ id: 2, post_id: 10, from_id: -111 })); // our own reply: dropped
    vk.pushLongPoll(111, 'wall_reply_new', buildVkComment({ id: 1, post_id: 10 })); // a replayed event: one message
    const before = vk.longPollRequests.length;
    stop = new AbortController();
    run = runVkLongPoll(deps, stop.signal);
    await eventually(async () => (await h.cursors.get<{ ts: string }>('vk:longpoll:111'))?.ts === '6', 20_000, 'cursor after restart');
    stop.abort();
    await run;
    expect(vk.longPollRequests[before]?.ts).toBe('3');
    expect(await h.incomingIds()).toEqual(['msg77_1', 'wall-111_10_c1', 'wall-111_11']);
    const stats = (await h.stats.read()).vk;
    expect(stats.dropped).toMatchObject({ own_reply: 1, duplicate: 1 });
    expect(stats.failed).toBeGreaterThanOrEqual(1);
  });

  it('newsfeed.search: pages with start_from, saves the cursor per page, resumes after a restart and loses nothing on error 6 or a network failure', async () => {
    const api = createVkApi({ token: 'service-token', apiBaseUrl: vk.apiBaseUrl, perSecond: 50, retryWaitMs: 50 });
    const base = Math.floor(Date.now() / 1000) - 3600;
    for (let i = 1; i <= 25; i++) {
      vk.searchIndex.push(
        buildVkPost({ id: 5000 + i, owner_id: -7777, from_id: 1000 + i, date: base + i, text: `Ачинск: жалоба номер ${i} на плохую дорогу` }),
      );
    }
    vk.searchIndex.push(buildVkPost({ id: 6000, owner_id: -7777, text: 'Не про регион вовсе' }));
    const deps = { api, keywords: ['ачинск'], ownGroupIds: [111], intake: h.intake, cursors: h.cursors, salt: SALT,
      logger: (await import('../../lib/logger.js')).createLogger('silent'), intervalMs: 60_000, pageSize: 200 };
    vk.failNext('newsfeed.search', 'rate');
    const first = await sweepKeyword(deps, 'ачинск', undefined, 1);
    expect(first).toEqual({ pages: 1, items: 10, done: false });
    expect((await h.cursors.get<NewsfeedCursor>('vk:newsfeed:ачинск'))?.nextFrom).toBe('o:10');

    // "Restart": a fresh sweep call reads the saved cursor and continues from page 2; a dropped connection is retried by vk-io.
    vk.failNext('newsfeed.search', 'network');
    const searchesBefore = vk.calls.filter((c) => c.method === 'newsfeed.search').length;
    const rest = await sweepKeyword(deps, 'ачинск');
    expect(rest).toEqual({ pages: 2, items: 15, done: true });
    const resumed = vk.calls.filter((c) => c.method === 'newsfeed.search').slice(searchesBefore);
    expect(resumed[0]!.params.start_from).toBe('o:10');
    const ids = (await h.incomingIds()).filter((x) => x.startsWith('wall-7777_'));
    expect(ids).toHaveLength(25);
    const cursor = await h.cursors.get<NewsfeedCursor>('vk:newsfeed:ачинск');
    expect(cursor?.nextFrom).toBeUndefined();

    // The next sweep overlaps the last one: nothing new is counted twice.
    await sweepKeyword(deps, 'ачинск');
    expect((await h.incomingIds()).filter((x) => x.startsWith('wall-7777_'))).toHaveLength(25);
    expect(vk.calls.filter((c) => c.method === 'newsfeed.search').every((c) => c.params.access_token === 'service-token' && c.params.q === 'ачинск')).toBe(
      true,
    );
  });
});
