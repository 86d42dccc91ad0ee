import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOkClient } from '../../ingest/ok/api.js';
import { sweepGroup } from '../../ingest/ok/comments.js';
import { authorHash } from '../../lib/hash.js';
import { messageIdFor, randomUUID } from '../../lib/ids.js';
import { incomingMessagesOf } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { expectedOkSignature, startFakeOk, type FakeOk } from '../fakes/fake-ok.js';
import { startIntakeHarness } from '../fakes/intake-harness.js';
import { okGroupMessage } from '../fakes/payloads.js';
import { eventually, listedMessages, moderatorToken, startTestSystem } from '../support.js';

const SALT = 'ok-test-salt';
const GROUP = '53038939046008';
const OTHER = '54000000000001';
const GROUP_TOKEN = 'tkn18YdUJZe:CQABPOJKAKEKEKEKE';
const SECRET = 'ok-webhook-secret-0123456789abcdef';
const REST = { applicationKey: 'CBAFJIICABABABABA', applicationSecretKey: 'app-secret-key-1', accessToken: 'admin-access-token-1' };
interface MessageItem {
  externalId: string;
  authorHash: string;
  text: string;
  link: string | null;
  attachments: { kind: string; ref: string }[];
  provenance: Record<string, string>;
  registrationNumber: string | null;
}

describe('Одноклассники: group messages, comments under posts, replies from the group', () => {
  let fake: FakeOk;
  let system: Otklik;
  let token: string;
  beforeAll(async () => {
    fake = await startFakeOk({ groupTokens: [GROUP_TOKEN], ...REST });
    fake.addTopic(GROUP, '70001');
    fake.addComment('70001', { id: 'c1', author_id: '577000111', text: 'Когда наконец отремонтируют дорогу на улице Садовой? Ямы по колено.' });
    fake.addComment('70001', { id: 'c2', author_id: GROUP, author_type: 'GROUP', text: 'Спасибо за обращение, передали в администрацию.' });
    system = await startTestSystem({
      OTKLIK_HASH_SALT: SALT,
      OK_GROUPS: `${GROUP}:${GROUP_TOKEN},${OTHER}`,
      OK_WEBHOOK_SECRET: SECRET,
      OK_API_BASE_URL: fake.apiBaseUrl,
      OK_APPLICATION_KEY: REST.applicationKey,
      OK_APPLICATION_SECRET_KEY: REST.applicationSecretKey,
      OK_ACCESS_TOKEN: REST.accessToken,
      OTKLIK_PUBLIC_URL: 'https://otklik.example.ru',
    }, ['ingest', 'classify', 'workflow']);
    token = await moderatorToken(system.url!);
  });
  afterAll(async () => {
    await system?.stop();
    await fake?.close();
  });

  const deliver = (body: unknown, group = GROUP, secret = SECRET) =>
    fetch(`${system.url}/webhooks/ok/${group}/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body: JSON.stringify(body),
    });
  const messages = () => listedMessages<MessageItem>(system.url!, token, 'ok');
  const origins = async (externalId: string) =>
    (await system.queues.incoming.getJobs(['waiting', 'active', 'completed']))
      .flatMap((j) => incomingMessagesOf(j.data)).filter((m) => m.externalId === externalId).map((m) => m.origin);

  it('is answered by a fake that refuses calls not signed as OK signs them', async () => {
    // The fake's signing is its own, checked against a worked example (test/fakes/fake-ok.ts): the production client
    // passes it in the tests below; a signature made with another key or over other parameters does not.
    const call = (params: Record<string, string>, key: string) => {
      const body = new URLSearchParams({ ...params, sig: expectedOkSignature(params, REST.accessToken, key), access_token: REST.accessToken });
      return fetch(`${fake.apiBaseUrl}/fb.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) =>
        r.json()
      );
    };
    const params = { application_key: REST.applicationKey, format: 'json', method: 'group.getStatTopics', gid: GROUP };
    expect(await call(params, 'another-secret-key')).toMatchObject({ error_code: 104 });
    expect(await call(params, REST.applicationSecretKey)).toMatchObject({ topics: [{ id: '70001' }] });
  });

  it('subscribes each group with a Bot API key at its secret address', async () => {
    await eventually(async () => fake.subscriptions.length === 1, 10_000, 'subscription');
    expect(fake.subscriptions).toEqual([{ token: GROUP_TOKEN, url: `https://otklik.example.ru/webhooks/ok/${GROUP}/${SECRET}` }]);
  });

  it('refuses a wrong secret and a group without a key, storing nothing; ignores chat events that are not messages', async () => {
    const m = okGroupMessage('chat:C3ecb9d02a600', '577000222');
    expect((await deliver(m, GROUP, 'wrong-secret-0123456789abcdef')).status).toBe(403);
    expect((await deliver(m, OTHER)).status).toBe(403);
    expect((await deliver(m, GROUP, `${SECRET}x`)).status).toBe(403);
    const raw = (body: string, secret: string) =>
      fetch(`${system.url}/webhooks/ok/${GROUP}/${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await raw('{"webhookType": "MESSAGE_CREATED", ', 'wrong-secret-0123456789abcdef')).status).toBe(403); // refused before the body is read
    expect((await raw('{"webhookType": "MESSAGE_CREATED", ', SECRET)).status).toBe(400);
    expect(await system.ingest!.intake.seen(messageIdFor('ok', `${GROUP}:${m.message.mid}`))).toBe(false);
    expect((await deliver({ ...m, webhookType: 'CHAT_SYSTEM' })).status).toBe(200);
    expect((await deliver({ message: { mid: 5 }, sender: 'x' })).status).toBe(400);
    expect(await system.ingest!.intake.seen(messageIdFor('ok', `${GROUP}:${m.message.mid}`))).toBe(false);
  });

  it('takes a message to the group once as an appeal and answers it in the chat, quoting it', async () => {
    const m = okGroupMessage('chat:C3ecb9d02a600', '577000333', { attachments: [{ type: 'IMAGE', payload: { url: 'https://i.mycdn.me/i?r=abc' } }] });
    for (let i = 0; i < 2; i++) expect((await deliver(m)).status).toBe(200);
    const externalId = `${GROUP}:${m.message.mid}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId && x.registrationNumber), 20_000, 'registered appeal');
    expect(item).toMatchObject({ text: m.message.text, authorHash: authorHash(SALT, 'ok', 'user:577000333') });
    expect(item.attachments).toEqual([expect.objectContaining({ kind: 'photo', ref: 'https://i.mycdn.me/i?r=abc' })]);
    expect((await messages()).filter((x) => x.externalId === externalId)).toHaveLength(1);
    expect(await origins(externalId)).toEqual(['appeal']);
    const notice = await eventually(async () => fake.sent.find((s) => s.text.includes(item.registrationNumber!)), 20_000, 'registered notice');
    expect(notice).toMatchObject({ token: GROUP_TOKEN, chatId: 'chat:C3ecb9d02a600', replyTo: m.message.mid });
  });

  it("takes comments under the group posts as signals, not the group's own, and replies under the post as the group", async () => {
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === 'topic70001_cc1'), 20_000, 'comment');
    expect(item).toMatchObject({ authorHash: authorHash(SALT, 'ok', 'user:577000111'), link: `https://ok.ru/group/${GROUP}/topic/70001` });
    expect((await messages()).some((x) => x.externalId === 'topic70001_cc2')).toBe(false);
    expect(await origins('topic70001_cc1')).toEqual(['signal']);

    // Acting as the workflow: a reply under the comment, after OK's flood control once.
    const messageId = messageIdFor('ok', 'topic70001_cc1');
    fake.failNext('discussions.addDiscussionComment', 'rate');
    await system.queues.outbound.add('answer', { outboundId: randomUUID(), caseId: caseIdFor(messageId), messageId, source: 'ok', kind: 'answer',
      text: 'Ответ: ремонт улицы Садовой включён в план на май.', target: { groupId: GROUP, topicId: '70001', commentId: 'c1' } });
    const reply = await eventually(async () => fake.groupComments.find((c) => c.text.startsWith('Ответ:')), 20_000, 'reply under the post');
    expect(reply).toMatchObject({ topicId: '70001', replyTo: 'c1', asAdmin: 'true' });
    const stats = (await (await fetch(`${system.url}/api/v1/ingest/stats`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      channels: Record<string, string>;
      counters: { ok: { rateLimited: number; dropped: Record<string, number> } };
    };
    expect(stats.channels).toMatchObject({ ok: 'webhook', ok_comments: 'polling' });
    expect(stats.counters.ok.rateLimited).toBeGreaterThanOrEqual(1);
    expect(stats.counters.ok.dropped.bad_secret).toBeGreaterThanOrEqual(3);
  });
});

describe('Одноклассники comments sweep', () => {
  it('pages forward from the saved anchor, survives flood control and a dropped connection, and takes each comment once', async () => {
    const fake = await startFakeOk({ groupTokens: [], ...REST });
    const h = await startIntakeHarness();
    try {
      fake.addTopic(GROUP, '80001');
      for (let i = 1; i <= 5; i++) fake.addComment('80001', { id: `k${i}`, author_id: `60000${i}`, text: `Комментарий жителя номер ${i}: не вывозят мусор.` });
      const client = createOkClient({ apiBaseUrl: fake.apiBaseUrl, rest: REST });
      const deps = { rest: client.rest!, groupIds: [GROUP], intake: h.intake, cursors: h.cursors, salt: SALT,
        logger: (await import('../../lib/logger.js')).createLogger('silent'), intervalMs: 60_000, maxPages: 10 };
      const page2 = { ...deps, rest: async (m: string, p: Record<string, string>) => client.rest!(m, { ...p, count: '2' }) };

      fake.failNext('discussions.getComments', 'rate');
      await expect(sweepGroup(page2, GROUP)).rejects.toThrow(/flood/i);
      expect(await sweepGroup(page2, GROUP)).toBe(5);
      expect(await h.incomingIds()).toEqual(['topic80001_ck1', 'topic80001_ck2', 'topic80001_ck3', 'topic80001_ck4', 'topic80001_ck5']);

      fake.addComment('80001', { id: 'k6', author_id: '600006', text: 'И ещё: контейнеры переполнены.' });
      fake.failNext('discussions.getComments', 'network');
      await expect(sweepGroup(page2, GROUP)).rejects.toThrow();
      expect(await sweepGroup(page2, GROUP)).toBe(1);
      expect((await h.incomingIds()).length).toBe(6);
      // The sweep after the failure asked from the saved anchor, not from FIRST again.
      const anchors = fake.restCalls.filter((c) => c.method === 'discussions.getComments').map((c) => c.params.anchor);
      expect(anchors.filter((a) => a === 'FIRST')).toHaveLength(1);
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
