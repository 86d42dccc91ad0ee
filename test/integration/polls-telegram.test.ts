import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../lib/ids.js';
import { POLL_TEXTS } from '../../ingest/telegram/bot.js';
import type { Otklik } from '../../main.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { tgCallback, tgPrivateMessage } from '../fakes/payloads.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

const TOKEN = '123456:POLLS-token';
const SECRET = 'polls-wh-secret';
interface PollJson {
  id: string;
  questions: { id: string; options: { id: string; text: string }[] }[];
}
interface Button {
  text: string;
  callback_data: string;
}

function buildPoll(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Какое общественное пространство благоустроить?',
    questions: [{ kind: 'single', text: 'Выберите пространство', options: ['Сквер на Мира', 'Набережная'] }],
    ...overrides,
  };
}

describe('polls in Telegram: inline keyboards, one vote per account, pushes to one municipality', () => {
  let tg: FakeTelegram;
  let system: Otklik;
  let token: string;
  let updateId = 1;
  let chatSeq = 5_100_000 + Math.floor(Math.random() * 10_000) * 10;

  beforeAll(async () => {
    tg = await startFakeTelegram({ token: TOKEN });
    system = await startTestSystem({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: tg.apiRoot }, ['ingest', 'workflow']);
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
    await tg?.close();
  });

  const send = async (update: Record<string, unknown>) => {
    const res = await fetch(`${system.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ update_id: updateId++, ...update }),
    });
    expect(res.status).toBe(200);
  };
  const staff = (method: string, path: string, body?: unknown) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  async function openPoll(overrides: Record<string, unknown>): Promise<PollJson> {
    const res = await staff('POST', '/api/v1/polls', buildPoll(overrides));
    expect(res.status).toBe(201);
    const poll = (await res.json()) as PollJson;
    for (const to of ['published', 'open']) expect((await staff('POST', `/api/v1/polls/${poll.id}/status`, { to })).status).toBe(200);
    return poll;
  }
  const pollMessagesTo = (chatId: number, pollId: string) =>
    tg.sent.filter((m) =>
      m.chatId === String(chatId) &&
      (m.replyMarkup?.inline_keyboard as Button[][] | undefined)?.some((row) => row.some((b) => b.callback_data.startsWith(`poll:${pollId}:`)))
    );
  /** Presses a button and returns what the bot answered the callback query with. */
  async function press(chatId: number, messageId: number, data: string) {
    const cb = tgCallback(chatId, messageId, data);
    await send({ callback_query: cb });
    const call = tg.calls.find((c) => c.method === 'answerCallbackQuery' && c.payload.callback_query_id === cb.id);
    expect(call, 'the callback query is answered').toBeDefined();
    return call!.payload as { text?: string; show_alert?: boolean };
  }
  const votes = async (pollId: string) =>
    (await system.db.query<{ channel: string; municipality: string }>('select channel, municipality from votes where poll_id = $1 order by cast_at', [pollId]))
      .rows;

  it('/polls shows the keyboard; a press votes once, a second press and a closed poll are refused politely', async () => {
    const poll = await openPoll({
      title: 'Какой двор благоустроить первым?',
      municipalities: [],
      questions: [{ kind: 'single', text: 'Выберите двор', options: ['Двор на Ленина, 5', 'Двор на Мира, 12', 'Двор на Марковского, 3'] }],
    });
    const chat = ++chatSeq;
    await send({ message: tgPrivateMessage(chat, { text: '/polls', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }) });
    const [shown] = pollMessagesTo(chat, poll.id);
    expect(shown, 'the open poll is offered').toBeDefined();
    expect(shown!.text).toContain('Какой двор благоустроить первым?');
    const buttons = (shown!.replyMarkup.inline_keyboard as Button[][]).map((row) => row[0]!);
    expect(buttons.map((b) => b.text)).toEqual(['Двор на Ленина, 5', 'Двор на Мира, 12', 'Двор на Марковского, 3']);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);

    const first = await press(chat, shown!.messageId, buttons[1]!.callback_data);
    expect(first.text).toMatch(/голос учтён/);
    expect(first.text).toContain('Двор на Мира, 12');
    const again = await press(chat, shown!.messageId, buttons[2]!.callback_data);
    expect(again.text).toMatch(/Вы уже проголосовали/);
    expect(again.show_alert).toBe(true);
    expect(await votes(poll.id)).toEqual([{ channel: 'telegram', municipality: '' }]);
    const counted = await system.db.query<{ option_id: string }>(
      'select a.option_id from vote_answers a join votes v on v.id = a.vote_id where v.poll_id = $1',
      [poll.id],
    );
    expect(counted.rows.map((r) => r.option_id)).toEqual([poll.questions[0]!.options[1]!.id]);

    // Another account counts; after closing, nobody's press does.
    expect((await press(++chatSeq, shown!.messageId, buttons[0]!.callback_data)).text).toMatch(/голос учтён/);
    expect((await staff('POST', `/api/v1/polls/${poll.id}/status`, { to: 'closed' })).status).toBe(200);
    const late = await press(++chatSeq, shown!.messageId, buttons[0]!.callback_data);
    expect(late.text).toMatch(/закрыто/);
    expect(await votes(poll.id)).toHaveLength(2);
    // A forged button (an option the poll does not have) is refused without a vote.
    expect((await press(++chatSeq, shown!.messageId, `poll:${poll.id}:0:9`)).text).toBe(POLL_TEXTS.notFound);
  });

  it('pushes a poll only to the chats of one municipality: subscribers and appellants; a repeated push sends nothing twice', async () => {
    const achinskSubscriber = ++chatSeq;
    const krasnoyarskSubscriber = ++chatSeq;
    const achinskAppellant = ++chatSeq;
    const movedAway = ++chatSeq;
    await send({ message: tgPrivateMessage(achinskSubscriber, { text: '/polls город Ачинск' }) });
    expect(tg.sent.some((m) => m.chatId === String(achinskSubscriber) && m.text === POLL_TEXTS.subscribed('город Ачинск'))).toBe(true);
    await send({ message: tgPrivateMessage(krasnoyarskSubscriber, { text: '/polls город Красноярск' }) });
    // Appellants: their municipality comes from their appeal through the bot; one of them later named another one.
    for (const [chat, i] of [[achinskAppellant, 1], [movedAway, 2]] as const) {
      const externalId = `${chat}:${i}`;
      const id = messageIdFor('telegram', externalId);
      await system.db.query(
        `insert into messages (id, source, external_id, received_at, text, author_hash, place, provenance)
         values ($1, 'telegram', $2, now(), 'Не вывозят мусор во дворе', 'hash-of-author', $3, $4)`,
        [id, externalId, JSON.stringify({ municipality: 'город Ачинск' }), JSON.stringify({ channel: 'telegram', via: 'bot', chatId: String(chat) })],
      );
      await system.db.query('insert into contacts (message_id, channel_user_id) values ($1, $2)', [id, String(chat)]);
    }
    await send({ message: tgPrivateMessage(movedAway, { text: '/polls город Красноярск' }) });

    const poll = await openPoll({
      title: 'Где поставить новую остановку?',
      municipalities: ['город Ачинск', 'город Красноярск'],
      questions: [{ kind: 'single', text: 'Выберите место', options: ['У школы', 'У рынка'] }],
    });
    expect((await staff('POST', `/api/v1/polls/${poll.id}/push`, { municipality: 'город Канск' })).status).toBe(400);
    expect((await staff('POST', `/api/v1/polls/${poll.id}/push`, {})).status).toBe(400);
    const pushed = await staff('POST', `/api/v1/polls/${poll.id}/push`, { municipality: 'город Ачинск' });
    expect(pushed.status).toBe(202);
    expect(await pushed.json()).toEqual({ municipality: 'город Ачинск', chats: 2 });

    const delivered = async () =>
      (await system.db.query<{ chat: string }>(
        `select target->>'chatId' as chat from outbound_deliveries where poll_id = $1 and kind = 'poll' order by 1`,
        [poll.id],
      )).rows.map((r) => r.chat);
    await eventually(async () => (await delivered()).length === 2, 20_000, 'two pushed messages');
    expect(await delivered()).toEqual([String(achinskSubscriber), String(achinskAppellant)].sort());
    expect(pollMessagesTo(achinskSubscriber, poll.id)).toHaveLength(1);
    const [message] = pollMessagesTo(achinskAppellant, poll.id);
    expect(message!.text).toContain('Голосование для жителей: город Ачинск');
    expect(pollMessagesTo(krasnoyarskSubscriber, poll.id)).toHaveLength(0);
    expect(pollMessagesTo(movedAway, poll.id)).toHaveLength(0);

    // A repeated push is deduplicated by the deterministic outbound ids.
    expect((await staff('POST', `/api/v1/polls/${poll.id}/push`, { municipality: 'город Ачинск' })).status).toBe(202);
    await eventually(async () => {
      const c = await system.queues.outbound.getJobCounts('waiting', 'active', 'delayed');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0;
    }, 20_000, 'outbound drained');
    expect(pollMessagesTo(achinskAppellant, poll.id)).toHaveLength(1);

    // The appellant votes from the pushed message: the vote carries their municipality.
    const button = (message!.replyMarkup.inline_keyboard as Button[][])[0]![0]!;
    expect((await press(achinskAppellant, message!.messageId, button.callback_data)).text).toMatch(/голос учтён/);
    expect(await votes(poll.id)).toEqual([{ channel: 'telegram', municipality: 'город Ачинск' }]);
    // A chat whose municipality is unknown is asked for it instead of voting.
    expect((await press(++chatSeq, message!.messageId, button.callback_data)).text).toBe(POLL_TEXTS.askMunicipality);

    const draft = (await (await staff('POST', '/api/v1/polls', buildPoll())).json()) as PollJson;
    expect((await staff('POST', `/api/v1/polls/${draft.id}/push`, { municipality: 'город Ачинск' })).status).toBe(409);
  });
});
