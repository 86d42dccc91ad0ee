import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorHash } from '../../lib/hash.js';
import { messageIdFor, randomUUID } from '../../lib/ids.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { incomingMessagesOf } from '../../lib/queues.js';
import { TEXTS } from '../../ingest/telegram/bot.js';
import type { Otklik } from '../../main.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { tgCallback, tgGroupMessage, tgPhoto, tgPrivateMessage } from '../fakes/payloads.js';
import { eventually, listedMessages, moderatorToken, startTestSystem } from '../support.js';

const SALT = 'tg-test-salt';
const TOKEN = '123456:TEST-token';
interface MessageItem {
  messageId: string;
  externalId: string;
  authorHash: string;
  text: string;
  link: string | null;
  attachments: { kind: string; ref: string }[];
  place: Record<string, unknown>;
  registrationNumber: string | null;
}

describe('Telegram: webhook, group monitoring and the citizen bot dialog', () => {
  let tg: FakeTelegram;
  let system: Otklik;
  let token: string;
  let updateId = 1;
  beforeAll(async () => {
    tg = await startFakeTelegram({ token: TOKEN });
    system = await startTestSystem({ OTKLIK_HASH_SALT: SALT, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'wh-secret', TELEGRAM_API_ROOT: tg.apiRoot }, [
      'ingest',
      'classify',
      'workflow',
    ]);
    // The monitoring team reads the listing with the ids that reach each author (a region administrator's omits them).
    token = await moderatorToken(system.url!);
  });
  afterAll(async () => {
    await system?.stop();
    await tg?.close();
  });

  const deliver = (update: Record<string, unknown>, secret = 'wh-secret') =>
    fetch(`${system.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(update),
    });
  const send = async (update: Record<string, unknown>) => {
    const res = await deliver({ update_id: updateId++, ...update });
    expect(res.status).toBe(200);
  };
  const messages = () => listedMessages<MessageItem>(system.url!, token, 'telegram');
  const lastSentTo = (chatId: number) => tg.sent.filter((m) => m.chatId === String(chatId)).at(-1);

  it('refuses a webhook call without the secret token and a body that is not an Update', async () => {
    expect((await deliver({ update_id: 1, message: tgGroupMessage() }, 'wrong')).status).toBe(403);
    const bad = await deliver({ message: {} });
    expect(bad.status).toBe(400);
    const raw = (secret: string) =>
      fetch(`${system.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: '{"update_id": ' });
    expect((await raw('wrong')).status).toBe(403); // the secret is checked before the body is read
    expect((await raw('wh-secret')).status).toBe(400);
  });

  it('stores a group message with photo reference and link; a redelivered update and a repeated message make one', async () => {
    const caption = 'Разбита детская площадка во дворе дома 15 по улице Молокова';
    const m = tgGroupMessage({ message_id: 3101, text: undefined, caption, photo: tgPhoto('grp1') });
    const update = { update_id: updateId++, message: m };
    for (let i = 0; i < 2; i++) expect((await deliver(update)).status).toBe(200);
    await send({ message: m }); // same message under a new update_id
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === '-1001234567890:3101'), 15_000, 'group message');
    expect(item).toMatchObject({ text: caption, link: 'https://t.me/krsk_complaints/3101', authorHash: authorHash(SALT, 'telegram', 'user:4200200') });
    expect(item.attachments).toEqual([expect.objectContaining({ kind: 'photo', ref: 'grp1-big' })]);
    expect((await messages()).filter((x) => x.externalId === '-1001234567890:3101')).toHaveLength(1);
  });

  it('runs a citizen through the dialog: submit, registration number, answer, rating', async () => {
    const chat = 4100100 + Math.floor(Math.random() * 1000);
    await send({ message: tgPrivateMessage(chat, { text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }) });
    expect(lastSentTo(chat)?.text).toBe(TEXTS.start);

    const description = tgPrivateMessage(chat, { text: 'Во дворе дома 8 на улице Вавилова прорвало трубу, вода заливает подвал.' });
    await send({ message: description });
    expect(lastSentTo(chat)?.text).toBe(TEXTS.askDetails);
    await send({ message: tgPrivateMessage(chat, { location: { latitude: 56.03, longitude: 92.91 } }) });
    await send({ message: tgPrivateMessage(chat, { text: 'Красноярск, ул. Вавилова, 8' }) });
    tg.failNext('sendMessage', 'rate', 1, 1); // the bot's reply meets a 429: it waits retry_after and sends it
    await send({ message: tgPrivateMessage(chat, { photo: tgPhoto('leak') }) });
    expect(lastSentTo(chat)?.text).toBe(TEXTS.added);

    await send({ callback_query: tgCallback(chat, lastSentTo(chat)!.messageId, 'done') });
    const summary = lastSentTo(chat)!;
    expect(summary.text).toContain('Проверьте обращение');
    expect(summary.text).toContain('Вавилова, 8');
    await send({ callback_query: tgCallback(chat, summary.messageId, 'confirm') });
    await send({ callback_query: tgCallback(chat, summary.messageId, 'confirm') }); // a double tap
    expect(tg.sent.filter((m) => m.chatId === String(chat) && m.text === TEXTS.accepted)).toHaveLength(1);

    const externalId = `${chat}:${description.message_id}`;
    const item = await eventually(async () => (await messages()).find((x) => x.externalId === externalId && x.registrationNumber), 15_000, 'registered case');
    expect(item.place).toMatchObject({ address: 'Красноярск, ул. Вавилова, 8', lat: 56.03, lon: 92.91 });
    expect(item.attachments).toEqual([expect.objectContaining({ kind: 'photo', ref: 'leak-big' })]);
    expect((await messages()).filter((x) => x.externalId === externalId)).toHaveLength(1);

    // The workflow's «registered» notice reaches the citizen with the number, as a reply to the description.
    const registered = await eventually(async () => tg.sent.find((m) => m.chatId === String(chat) && m.text.includes(item.registrationNumber!)), 20_000,
      'registration number');
    expect(registered.replyTo).toBe(description.message_id);

    // Acting as the workflow: the final answer, which carries the 1–5 rating buttons.
    const messageId = messageIdFor('telegram', externalId);
    tg.failNext('sendMessage', 'rate', 1, 1);
    await system.queues.outbound.add('answer', {
      outboundId: randomUUID(),
      caseId: randomUUID(),
      messageId,
      source: 'telegram',
      kind: 'answer',
      text: 'Ответ: аварийная бригада устранила порыв, подвал осушен.',
      target: { chatId: String(chat), replyToMessageId: String(description.message_id) },
    });
    const answer = await eventually(async () => tg.sent.find((m) => m.chatId === String(chat) && m.text.startsWith('Ответ:')), 20_000,
      'answer delivered after 429');
    const buttons = answer.replyMarkup.inline_keyboard[0] as { text: string; callback_data: string }[];
    expect(buttons.map((b) => b.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(tg.sent.filter((m) => m.text.startsWith('Ответ:'))).toHaveLength(1);

    const caseId = caseIdFor(messageId);
    const statusOf = async () => (await system.db.query<{ status: string }>('select status from cases where id = $1', [caseId])).rows[0]!.status;
    const cbAnswer = (id: string) =>
      tg.calls.find((c) => c.method === 'answerCallbackQuery' && (c.payload as { callback_query_id?: string }).callback_query_id === id)
        ?.payload as { text?: string } | undefined;
    const press = async (callback: ReturnType<typeof tgCallback>) => {
      await send({ callback_query: callback });
      return cbAnswer(callback.id)?.text;
    };

    // Before the case awaits a rating, the button changes nothing.
    expect(await press(tgCallback(chat, answer.messageId, buttons[0]!.callback_data))).toBe(TEXTS.ratingNotAwaited);
    expect(await statusOf()).toBe('moderation');
    // Acting as the workflow: the case was answered and awaits the citizen's rating.
    await system.db.query(`update cases set status = 'answered' where id = $1`, [caseId]);

    // The message id in the button is computable: another user (their own chat, the same data) rates nothing, nor does
    // the author from another chat.
    const stranger = chat + 1;
    expect(await press(tgCallback(stranger, 1, `rate:${messageId}:1`))).toBe(TEXTS.ratingNotYours);
    const elsewhere = { ...tgCallback(chat, 1, `rate:${messageId}:1`),
      message: { ...tgCallback(chat, 1, '').message, chat: { id: -1009999, type: 'supergroup' } } };
    expect(await press(elsewhere)).toBe(TEXTS.ratingNotYours);
    expect(await statusOf()).toBe('answered');
    expect((await system.db.query('select 1 from citizen_actions where case_id = $1', [caseId])).rowCount).toBe(0);

    // The author, in the chat the case came from: the rating counts (5 closes the case), once.
    const sentBefore = tg.sent.length;
    expect(await press(tgCallback(chat, answer.messageId, buttons[4]!.callback_data))).toBe(TEXTS.thanksRating(5));
    expect(await statusOf()).toBe('closed');
    expect(tg.sent.slice(sentBefore).map((m) => m.text)).toContain(TEXTS.thanksRating(5));
    expect(await press(tgCallback(chat, answer.messageId, buttons[1]!.callback_data))).toBe(TEXTS.ratingAlreadyGiven);
    expect((await system.db.query<{ rating: number }>('select rating from cases where id = $1', [caseId])).rows[0]!.rating).toBe(5);
    const stats = (await (await fetch(`${system.url}/api/v1/ingest/stats`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      counters: { telegram: { rateLimited: number; sent: number } };
    };
    expect(stats.counters.telegram.rateLimited).toBeGreaterThanOrEqual(1);
  });
});

describe('Telegram long polling', () => {
  it('takes updates, waits out 429, and resumes from the saved offset after a restart without repeating', async () => {
    const tg = await startFakeTelegram({ token: TOKEN });
    const env = { OTKLIK_HASH_SALT: SALT, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: tg.apiRoot };
    const { testConfig } = await import('../support.js');
    const { startOtklik } = await import('../../main.js');
    const { createLogger } = await import('../../lib/logger.js');
    const config = await testConfig(env);
    let system = await startOtklik(config, ['ingest'], createLogger('silent'));
    const ids = async (s: Otklik) =>
      (await s.queues.incoming.getJobs(['waiting', 'active', 'completed'])).flatMap((j) => incomingMessagesOf(j.data).map((m) => m.externalId)).sort();
    try {
      tg.failNext('getUpdates', 'rate', 1, 1);
      const a = tgGroupMessage({ message_id: 1 });
      const b = tgGroupMessage({ message_id: 2 });
      tg.pushUpdate({ message: a });
      tg.pushUpdate({ message: b });
      await eventually(async () => (await ids(system)).length === 2, 20_000, 'two polled messages');
      await system.stop();

      const third = tg.pushUpdate({ message: tgGroupMessage({ message_id: 3 }) });
      const asked = tg.offsetsRequested.length;
      system = await startOtklik(config, ['ingest'], createLogger('silent'));
      await eventually(async () => (await ids(system)).length === 3, 20_000, 'third message after restart');
      // The restarted poller asked from its saved offset (confirming 1 and 2), not from 0.
      expect(tg.offsetsRequested[asked]).toBe(third);
      expect(await ids(system)).toEqual(['-1001234567890:1', '-1001234567890:2', '-1001234567890:3']);
      const h = (await (await fetch(`${system.url}/healthz`)).json()) as { channels: Record<string, string> };
      expect(h.channels.telegram).toBe('polling');
    } finally {
      await system.stop();
      await tg.close();
    }
  });
});
