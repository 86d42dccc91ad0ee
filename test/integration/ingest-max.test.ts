import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXTS } from '../../ingest/dialog/dialog.js';
import { authorHash } from '../../lib/hash.js';
import { messageIdFor, randomUUID } from '../../lib/ids.js';
import { incomingMessagesOf } from '../../lib/queues.js';
import type { Otklik } from '../../main.js';
import { replyTarget } from '../../workflow/notify.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeMax, type FakeMax } from '../fakes/fake-max.js';
import { maxBotStarted, maxCallback, maxChatMessage, maxDialogMessage, maxImage, maxLocation, maxMessageCreated } from '../fakes/payloads.js';
import { eventually, listedMessages, moderatorToken, startTestSystem } from '../support.js';

const SALT = 'max-test-salt';
const TOKEN = 'max-bot-token-123';
const SECRET = 'max-webhook-secret_42';
interface MessageItem {
  messageId: string;
  externalId: string;
  authorHash: string;
  text: string;
  link: string | null;
  attachments: { kind: string; ref: string }[];
  place: Record<string, unknown>;
  provenance: Record<string, string>;
  registrationNumber: string | null;
}

describe('MAX: webhook, group chats as signals, the citizen bot, replies', () => {
  let fake: FakeMax;
  let system: Otklik;
  let token: string;
  beforeAll(async () => {
    fake = await startFakeMax({ token: TOKEN });
    system = await startTestSystem({ OTKLIK_HASH_SALT: SALT, MAX_BOT_TOKEN: TOKEN, MAX_WEBHOOK_SECRET: SECRET, MAX_API_BASE_URL: fake.apiBaseUrl,
      OTKLIK_PUBLIC_URL: 'https://otklik.example.ru' }, ['ingest', 'classify', 'workflow']);
    token = await moderatorToken(system.url!);
  });
  afterAll(async () => {
    await system?.stop();
    await fake?.close();
  });

  const deliver = (update: unknown, secret: string | null = SECRET) =>
    fetch(`${system.url}/webhooks/max`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-max-bot-api-secret': secret }) },
      body: JSON.stringify(update),
    });
  const send = async (update: unknown) => expect((await deliver(update)).status).toBe(200);
  const messages = () => listedMessages<MessageItem>(system.url!, token, 'max');
  const queued = async (externalId: string) =>
    (await system.queues.incoming.getJobs(['waiting', 'active', 'completed']))
      .flatMap((j) => incomingMessagesOf(j.data)).filter((m) => m.externalId === externalId);
  const lastTo = (chatId: number) => fake.sent.filter((m) => m.chatId === String(chatId)).at(-1);

  it('subscribes its webhook with the secret at the public address', async () => {
    const sub = await eventually(async () => fake.subscriptions.find((s) => s.url === 'https://otklik.example.ru/webhooks/max'), 10_000, 'subscription');
    expect(sub.secret).toBe(SECRET);
    expect(sub.update_types).toEqual(expect.arrayContaining(['message_created', 'message_callback', 'bot_started']));
  });

  it('refuses a forged or missing secret and a body that is not an Update, storing nothing', async () => {
    const m = maxChatMessage({ text: 'Поддельное сообщение о прорыве трубы на улице Мира.' });
    expect((await deliver(maxMessageCreated(m), 'wrong-secret')).status).toBe(403);
    expect((await deliver(maxMessageCreated(m), null)).status).toBe(403);
    expect((await deliver({ message: m })).status).toBe(400);
    // The secret is checked before the body is read: a forged call is refused as forged whatever its body.
    const forged = (body: string, secret?: string) =>
      fetch(`${system.url}/webhooks/max`, { method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-max-bot-api-secret': secret } : {}) }, body });
    expect((await forged('{"update_type": "message_created", ', 'wrong-secret')).status).toBe(403);
    expect((await forged('{not json')).status).toBe(403);
    expect((await forged('x'.repeat(2 * 1024 * 1024), 'wrong-secret')).status).toBe(403);
    expect((await forged('{not json', SECRET)).status).toBe(400);
    expect(await system.ingest!.intake.seen(messageIdFor('max', `${m.recipient.chat_id}:${m.body.mid}`))).toBe(false);
  });

  it('stores a group chat message once as a signal, with its photo; a redelivery and a repeat make one', async () => {
    const m = maxChatMessage({ text: 'На остановке «Школа №3» разбит павильон, люди ждут автобус под дождём.', attachments: [maxImage(771)] });
    const update = maxMessageCreated(m);
    for (let i = 0; i < 2; i++) await send(update);
    await send({ ...update, timestamp: Date.now() + 5 });
    const externalId = `${m.recipient.chat_id}:${m.body.mid}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId), 15_000, 'group message');
    expect(item).toMatchObject({ text: m.body.text, authorHash: authorHash(SALT, 'max', 'user:5200200') });
    expect(item.attachments).toEqual([expect.objectContaining({ kind: 'photo', ref: 'https://i.oneme.ru/i?r=771' })]);
    expect(item.provenance).toMatchObject({ channel: 'max', via: 'chat', 'reply.chatId': String(m.recipient.chat_id), 'reply.replyToMid': m.body.mid });
    expect((await messages()).filter((x) => x.externalId === externalId)).toHaveLength(1);
    expect((await queued(externalId)).map((x) => x.origin)).toEqual(['signal']);
  });

  it('takes a comment under a channel post once as a signal and answers under the same post, to the comment, after a 429', async () => {
    const channel = -64_000_000 - Math.floor(Math.random() * 1000);
    const postId = fake.publishPost(channel);
    const update = fake.commentOn(postId, { userId: 5_600_600, text: 'На улице Ленина, 5 третий день не горят фонари, дети идут в школу в темноте.' });
    await send(update);
    await send(update); // MAX redelivers
    const mid = update.message.body.mid;
    const externalId = `${channel}:${mid}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId), 15_000, 'comment');
    expect(item).toMatchObject({ text: update.message.body.text, authorHash: authorHash(SALT, 'max', 'user:5600600') });
    expect(item.provenance).toMatchObject({ channel: 'max', via: 'comment', postId, 'reply.postId': postId, 'reply.commentId': mid });
    expect(item.provenance['reply.chatId']).toBeUndefined(); // never answered in the channel itself, to every subscriber
    expect((await queued(externalId)).map((x) => x.origin)).toEqual(['signal']);

    // A signal is the monitoring team's to answer: the workflow posts nothing under it by itself.
    await eventually(async () => (await system.db.query('select 1 from signals where message_id = $1', [messageIdFor('max', externalId)])).rowCount === 1,
      20_000, 'the signal registered');

    // A public «взято в работу», at the address the workflow derives from the provenance, meets a 429 on the way.
    const messageId = messageIdFor('max', externalId);
    const target = replyTarget({ source: 'max', externalId, provenance: item.provenance, contact: {} })!;
    fake.failNext('POST /messages/{messageId}/comments', 'rate');
    const before = fake.calls.filter((c) => c.path === `/messages/${postId}/comments`).length;
    await system.queues.outbound.add('interim', { outboundId: randomUUID(), caseId: caseIdFor(messageId), messageId, source: 'max', kind: 'interim',
      text: 'Обращение взято в работу, фонари проверит подрядчик.', target });
    const reply = await eventually(async () => fake.comments.find((c) => c.text.startsWith('Обращение взято в работу')), 20_000, 'comment reply after 429');
    expect(reply).toMatchObject({ postId, replyTo: mid });
    expect(fake.calls.filter((c) => c.path === `/messages/${postId}/comments`).length).toBe(before + 2);
    expect(fake.sent.filter((s) => s.chatId === String(channel))).toEqual([]); // nothing posted to the whole channel
    expect(fake.comments.filter((c) => c.postId === postId && /зарегистрировано/.test(c.text))).toEqual([]);
  });

  it('takes a message written to the bot outside a dialog as the appeal, and answers it with the registration number', async () => {
    const chat = 61_000_000 + Math.floor(Math.random() * 1000);
    const m = maxDialogMessage(chat, 5_300_300, { text: 'Во дворе дома 12 по улице Карла Маркса не убирают снег, не пройти.' });
    await send(maxMessageCreated(m));
    const externalId = `${chat}:${m.body.mid}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId && x.registrationNumber), 20_000, 'registered appeal');
    expect(item.text).toBe(m.body.text);
    expect((await queued(externalId)).map((x) => x.origin)).toEqual(['appeal']);
    const notice = await eventually(async () => fake.sent.find((s) => s.chatId === String(chat) && s.text.includes(item.registrationNumber!)), 20_000,
      'registered notice');
    expect(notice.link).toEqual({ type: 'reply', mid: m.body.mid });
  });

  it('answers 503 while MAX is unreachable (MAX redelivers and the step runs once), and ends an update whose reply MAX refuses', async () => {
    const chat = 63_000_000 + Math.floor(Math.random() * 1000);
    const started = maxBotStarted(chat, 5_500_500);
    fake.failNext('POST /messages', 'network', 4);
    expect((await deliver(started)).status).toBe(503);
    await send(started);
    expect(fake.sent.filter((s) => s.chatId === String(chat) && s.text === TEXTS.start)).toHaveLength(1);
    await send(started); // handled already: nothing is sent again
    expect(fake.sent.filter((s) => s.chatId === String(chat))).toHaveLength(1);

    const blocked = maxBotStarted(chat + 1, 5_500_501);
    fake.failNext('POST /messages', 'denied');
    await send(blocked);
    await send(blocked); // a redelivery: the refused reply is not tried again
    expect(fake.calls.filter((c) => c.path === '/messages' && c.query.chat_id === String(chat + 1))).toHaveLength(1);
  });

  it('runs a citizen through the dialog: start, describe, place, photo, confirm, number, answer with rating buttons, rating', async () => {
    const chat = 62_000_000 + Math.floor(Math.random() * 1000);
    const user = 5_400_400;
    await send(maxBotStarted(chat, user));
    expect(lastTo(chat)?.text).toBe(TEXTS.start);
    const description = maxDialogMessage(chat, user, { text: 'На улице Вавилова, 8 прорвало трубу, вода заливает подвал дома.' });
    await send(maxMessageCreated(description));
    expect(lastTo(chat)?.text).toBe(TEXTS.askDetails);
    expect(lastTo(chat)?.buttons?.[0]?.map((b) => b.payload)).toEqual(['done', 'cancel']);
    await send(maxMessageCreated(maxDialogMessage(chat, user, { attachments: [maxLocation(56.03, 92.91)] })));
    await send(maxMessageCreated(maxDialogMessage(chat, user, { text: 'Красноярск, ул. Вавилова, 8' })));
    fake.failNext('POST /messages', 'rate'); // the bot's reply meets a 429: it waits and sends it
    await send(maxMessageCreated(maxDialogMessage(chat, user, { attachments: [maxImage(991)] })));
    expect(lastTo(chat)?.text).toBe(TEXTS.added);

    await send(maxCallback(chat, user, 'done', { mid: lastTo(chat)!.mid }));
    const summary = lastTo(chat)!;
    expect(summary.text).toContain('Проверьте обращение');
    expect(summary.text).toContain('Вавилова, 8');
    await send(maxCallback(chat, user, 'confirm', { mid: summary.mid }));
    await send(maxCallback(chat, user, 'confirm', { mid: summary.mid })); // a double tap
    expect(fake.sent.filter((s) => s.chatId === String(chat) && s.text === TEXTS.accepted)).toHaveLength(1);
    expect(fake.answers.at(-1)?.notification).toBe(TEXTS.alreadySent);

    const externalId = `${chat}:${description.body.mid}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId && x.registrationNumber), 20_000, 'registered case');
    expect(item.place).toMatchObject({ address: 'Красноярск, ул. Вавилова, 8', lat: 56.03, lon: 92.91 });
    expect(item.attachments).toEqual([expect.objectContaining({ kind: 'photo', ref: 'https://i.oneme.ru/i?r=991' })]);
    expect(item.authorHash).toBe(authorHash(SALT, 'max', `user:${user}`));
    const registered = await eventually(async () => fake.sent.find((s) => s.chatId === String(chat) && s.text.includes(item.registrationNumber!)), 20_000,
      'number');
    expect(registered.link).toEqual({ type: 'reply', mid: description.body.mid });

    // Acting as the workflow: the final answer, which carries the 1–5 rating buttons, sent after a 429.
    const messageId = messageIdFor('max', externalId);
    fake.failNext('POST /messages', 'rate');
    await system.queues.outbound.add('answer', { outboundId: randomUUID(), caseId: caseIdFor(messageId), messageId, source: 'max', kind: 'answer',
      text: 'Ответ: аварийная бригада устранила порыв, подвал осушен.', target: { chatId: String(chat), replyToMid: description.body.mid } });
    const answer = await eventually(async () => fake.sent.find((s) => s.chatId === String(chat) && s.text.startsWith('Ответ:')), 20_000, 'answer after 429');
    expect(answer.buttons?.[0]?.map((b) => b.text)).toEqual(['1', '2', '3', '4', '5']);

    const caseId = caseIdFor(messageId);
    const statusOf = async () => (await system.db.query<{ status: string }>('select status from cases where id = $1', [caseId])).rows[0]!.status;
    const press = async (update: ReturnType<typeof maxCallback>) => {
      await send(update);
      return fake.answers.find((a) => a.callbackId === (update.callback as { callback_id: string }).callback_id)?.notification;
    };
    expect(await press(maxCallback(chat, user, answer.buttons![0]![4]!.payload, { mid: answer.mid, text: answer.text }))).toBe(TEXTS.ratingNotAwaited);
    await system.db.query(`update cases set status = 'answered' where id = $1`, [caseId]);
    // The payload is computable: another person, or the author from another chat, rates nothing.
    expect(await press(maxCallback(chat + 1, user + 1, `rate:${messageId}:1`, { mid: answer.mid }))).toBe(TEXTS.ratingNotYours);
    expect(await press(maxCallback(chat + 2, user, `rate:${messageId}:1`, { mid: answer.mid }))).toBe(TEXTS.ratingNotYours);
    expect(await statusOf()).toBe('answered');
    expect(await press(maxCallback(chat, user, `rate:${messageId}:5`, { mid: answer.mid, text: answer.text }))).toBe(TEXTS.thanksRating(5));
    expect(await statusOf()).toBe('closed');
    expect(
      fake.calls.some((c) => c.method === 'PUT' && c.query.message_id === answer.mid && Array.isArray(c.body.attachments) && c.body.attachments.length === 0),
    ).toBe(true);
    expect(lastTo(chat)?.text).toBe(TEXTS.thanksRating(5));
    expect(await press(maxCallback(chat, user, `rate:${messageId}:2`, { mid: answer.mid }))).toBe(TEXTS.ratingAlreadyGiven);

    const stats = (await (await fetch(`${system.url}/api/v1/ingest/stats`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      channels: Record<string, string>;
      counters: { max: { rateLimited: number; sent: number; dropped: Record<string, number> } };
    };
    expect(stats.channels.max).toBe('webhook');
    expect(stats.counters.max.rateLimited).toBeGreaterThanOrEqual(1);
    expect(stats.counters.max.dropped.bad_secret).toBeGreaterThanOrEqual(2);
  });

  it("thanks a low rating with the button asking for a repeat review, which only the case's author can press", async () => {
    const chat = 5_400_400;
    const user = 5_400_401;
    const appeal = maxDialogMessage(chat, user, { text: 'Во дворе дома 3 по улице Ленина вторую неделю не вывозят мусор, контейнеры переполнены.' });
    await send(maxMessageCreated(appeal));
    const externalId = `${chat}:${appeal.body.mid}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId && x.registrationNumber), 20_000, 'registered case');
    const caseId = caseIdFor(item.messageId);
    const statusOf = async () => (await system.db.query<{ status: string }>('select status from cases where id = $1', [caseId])).rows[0]!.status;
    const press = async (update: ReturnType<typeof maxCallback>) => {
      await send(update);
      return fake.answers.find((a) => a.callbackId === (update.callback as { callback_id: string }).callback_id)?.notification;
    };
    // Acting as the workflow: the answer was sent, the case awaits the citizen's rating.
    await system.db.query(`update cases set status = 'answered' where id = $1`, [caseId]);
    expect(await press(maxCallback(chat, user, `rate:${item.messageId}:2`, { mid: 'mid.answer-low', text: 'Ответ' }))).toBe(TEXTS.thanksRating(2));
    expect(await statusOf()).toBe('rated');
    const offer = lastTo(chat)!;
    expect(offer.text).toBe(`${TEXTS.thanksRating(2)}\n\n${TEXTS.repeatOffer}`);
    expect(offer.buttons).toEqual([[expect.objectContaining({ text: TEXTS.repeatButton, payload: `repeat:${item.messageId}` })]]);

    expect(await press(maxCallback(chat + 1, user + 1, `repeat:${item.messageId}`, { mid: offer.mid }))).toBe(TEXTS.repeatNotYours);
    expect(await statusOf()).toBe('rated');
    expect(await press(maxCallback(chat, user, `repeat:${item.messageId}`, { mid: offer.mid, text: offer.text }))).toBe(TEXTS.repeatAccepted);
    expect(await statusOf()).toBe('repeat_review');
    expect(fake.sent.some((m) => m.chatId === String(chat) && m.text === TEXTS.repeatAccepted)).toBe(true);
    expect(await press(maxCallback(chat, user, `repeat:${item.messageId}`, { mid: offer.mid }))).toBe(TEXTS.repeatAlready);
  });
});

describe('MAX long polling', () => {
  it('without a public address: removes a webhook subscription, takes updates, survives 429 and a dropped connection, and resumes from the saved marker', async () => {
    const fake = await startFakeMax({ token: TOKEN });
    fake.subscriptions.push({ url: 'https://old.example.ru/webhooks/max' });
    const { testConfig } = await import('../support.js');
    const { startOtklik } = await import('../../main.js');
    const { createLogger } = await import('../../lib/logger.js');
    // A secret without OTKLIK_PUBLIC_URL: still long polling (nothing would reach a webhook), the endpoint still checks it.
    const config = await testConfig({ OTKLIK_HASH_SALT: SALT, MAX_BOT_TOKEN: TOKEN, MAX_WEBHOOK_SECRET: SECRET, MAX_API_BASE_URL: fake.apiBaseUrl });
    let system = await startOtklik(config, ['ingest'], createLogger('silent'));
    const ids = async (s: Otklik) =>
      (await s.queues.incoming.getJobs(['waiting', 'active', 'completed'])).flatMap((j) => incomingMessagesOf(j.data).map((m) => m.externalId)).sort();
    try {
      fake.failNext('GET /updates', 'rate');
      fake.failNext('GET /updates', 'network');
      const a = maxChatMessage({ chatId: -71, mid: 'mid.a1' });
      const b = maxChatMessage({ chatId: -71, mid: 'mid.b2' });
      fake.pushUpdate(maxMessageCreated(a));
      fake.pushUpdate(maxMessageCreated(b));
      await eventually(async () => (await ids(system)).length === 2, 20_000, 'two polled messages');
      expect(fake.subscriptions).toEqual([]);
      await system.stop();

      const third = fake.pushUpdate(maxMessageCreated(maxChatMessage({ chatId: -71, mid: 'mid.c3' })));
      const asked = fake.markersRequested.length;
      system = await startOtklik(config, ['ingest'], createLogger('silent'));
      await eventually(async () => (await ids(system)).length === 3, 20_000, 'third message after restart');
      // The restarted poller asked from its saved marker (confirming a and b), not from the start.
      expect(fake.markersRequested[asked]).toBe(third);
      expect(await ids(system)).toEqual(['-71:mid.a1', '-71:mid.b2', '-71:mid.c3']);
      const h = (await (await fetch(`${system.url}/healthz`)).json()) as { channels: Record<string, string> };
      expect(h.channels.max).toBe('polling');
      const push = (secret: string) =>
        fetch(`${system.url}/webhooks/max`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-max-bot-api-secret': secret },
          body: JSON.stringify(maxMessageCreated(maxChatMessage({ chatId: -71, mid: 'mid.d4' }))) });
      expect((await push('wrong-secret')).status).toBe(403);
      expect((await push(SECRET)).status).toBe(200);
      await eventually(async () => (await ids(system)).length === 4, 20_000, 'pushed message');
    } finally {
      await system.stop();
      await fake.close();
    }
  });
});
