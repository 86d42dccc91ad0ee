/**
 * Rating and repeat review from the networks' own buttons, with the workflow doing the real work in between: the
 * Telegram bot's 1–5 buttons and its «repeat review» button, and the inline keyboard of a VK community dialog whose
 * presses come back as `message_event`s. Only the case's author counts; a low rating offers a repeat review; the
 * answer after it opens a new round whose rating counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXTS } from '../../ingest/telegram/bot.js';
import { messageIdFor } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { startFakeVk, type FakeVk } from '../fakes/fake-vk.js';
import { buildVkCallback, buildVkMessage, tgCallback, tgPrivateMessage } from '../fakes/payloads.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

const TOKEN = '123456:BUTTONS-token';

describe('rating and repeat review from Telegram and VK buttons', () => {
  let tg: FakeTelegram;
  let vk: FakeVk;
  let system: Otklik;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let orgId = '';
  let updateId = 1;

  const call = async (path: string, method: string, token: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, { method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };
  const act = async (caseId: string, action: string, role: string, body: Record<string, unknown> = {}) => {
    const version = (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.version as number;
    const r = await call(`/api/v1/cases/${caseId}/${action}`, 'POST', tokens[role]!, { expectedVersion: version, ...body });
    expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  };
  const statusOf = async (caseId: string) => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.status as string;
  /** Moderation, routing and the first answer, or after a repeat review the executor's next answer. */
  const answer = async (caseId: string, text: string, first: boolean) => {
    if (first) {
      await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).status === 200, 15_000, 'case');
      await act(caseId, 'accept', 'moderator', { organizationId: orgId });
      await act(caseId, 'assign', 'coordinator', { executorId: ids.executor });
    }
    await act(caseId, 'start', 'executor');
    await act(caseId, 'save-draft', 'executor', { text });
    await act(caseId, 'submit', 'executor');
    await act(caseId, 'approve', 'leader');
  };

  beforeAll(async () => {
    tg = await startFakeTelegram({ token: TOKEN });
    vk = await startFakeVk({ tokens: ['group-token'] });
    system = await startTestSystem({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'wh', TELEGRAM_API_ROOT: tg.apiRoot,
      VK_CALLBACK_CONFIRMATION: '111:conf', VK_CALLBACK_SECRET: 'cb-secret', VK_GROUP_IDS: '111', VK_GROUP_TOKEN: 'group-token',
      VK_API_BASE_URL: vk.apiBaseUrl }, ['ingest', 'classify', 'workflow']);
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    orgId = (await call('/api/v1/organizations', 'POST', admin, { name: 'Администрация Кировского района', kind: 'omsu' })).body.id;
    for (const [login, role, organizationId] of [['btn-moderator', 'moderator', null], ['btn-coordinator', 'coordinator', orgId], ['btn-executor', 'executor',
      orgId], ['btn-leader', 'leader', orgId]] as const)
    {
      const created = await call('/api/v1/users', 'POST', admin, { login, password: 'a-long-password', displayName: login, roles: [{ role, organizationId }] });
      ids[role] = created.body.id;
      tokens[role] = await loginAs(system.url!, login, 'a-long-password');
    }
  });
  afterAll(async () => {
    await system?.stop();
    await tg?.close();
    await vk?.close();
  });

  const tgSend = async (update: Record<string, unknown>) => {
    const res = await fetch(`${system.url}/webhooks/telegram`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wh' }, body: JSON.stringify({ update_id: updateId++, ...update }) });
    expect(res.status).toBe(200);
  };
  const tgPress = async (chat: number, messageId: number, data: string, from = chat) => {
    const q = { ...tgCallback(chat, messageId, data), from: { id: from, is_bot: false, first_name: 'Иван' } };
    await tgSend({ callback_query: q });
    return (tg.calls.find((c) => c.method === 'answerCallbackQuery' && c.payload.callback_query_id === q.id)?.payload as { text?: string } | undefined)?.text;
  };
  const tgWithButton = (chat: number, prefix: string, after = 0) =>
    eventually(async () => tg.sent.slice(after).find((m) => m.chatId === String(chat) && JSON.stringify(m.replyMarkup ?? {}).includes(prefix)), 20_000,
      `a message with ${prefix}`);

  it("Telegram: a low rating offers a repeat review; only the author gets it; the next answer's rating counts", async () => {
    const chat = 4300000 + Math.floor(Math.random() * 1000);
    await tgSend({ message: tgPrivateMessage(chat, { text: '/start' }) });
    const description = tgPrivateMessage(chat, { text: 'На улице Кирова 30 третий день не горят фонари во дворе, темно и опасно.' });
    await tgSend({ message: description });
    const details = tg.sent.filter((m) => m.chatId === String(chat)).at(-1)!;
    await tgSend({ callback_query: tgCallback(chat, details.messageId, 'done') });
    await tgSend({ callback_query: tgCallback(chat, tg.sent.filter((m) => m.chatId === String(chat)).at(-1)!.messageId, 'confirm') });
    const messageId = messageIdFor('telegram', `${chat}:${description.message_id}`);
    const caseId = caseIdFor(messageId);
    const registered = await eventually(async () => tg.sent.find((m) => m.chatId === String(chat) && m.text.includes('зарегистрировано')), 20_000,
      'registered');
    expect(registered.text).toMatch(/Ход рассмотрения: http:\/\/localhost:\d+\/status\/\d{4}-\d{6}\?token=[\w-]{32}/);

    await answer(caseId, 'Здравствуйте! Фонари во дворе дома по ул. Кирова, 30 заменены 21 ноября. С уважением, администрация района.', true);
    const rating = await tgWithButton(chat, `rate:${messageId}:`);
    expect(await tgPress(chat, rating.messageId, `rate:${messageId}:2`, chat + 1)).toBe(TEXTS.ratingNotYours);
    const before = tg.sent.length;
    expect(await tgPress(chat, rating.messageId, `rate:${messageId}:2`)).toBe(TEXTS.thanksRating(2));
    expect(await statusOf(caseId)).toBe('rated');
    const offer = await tgWithButton(chat, `repeat:${messageId}`, before);
    expect(offer.text).toContain(TEXTS.repeatOffer);
    expect(await tgPress(chat, offer.messageId, `repeat:${messageId}`, chat + 1)).toBe(TEXTS.repeatNotYours);
    expect(await tgPress(chat, offer.messageId, `repeat:${messageId}`)).toBe(TEXTS.repeatAccepted);
    expect(await statusOf(caseId)).toBe('repeat_review');
    await eventually(async () => tg.sent.find((m) => m.chatId === String(chat) && m.text.includes('повторное рассмотрение. Новый срок')), 20_000,
      'repeat notice');
    expect(await tgPress(chat, offer.messageId, `repeat:${messageId}`)).toBe(TEXTS.repeatAlready);

    const second = tg.sent.length;
    await answer(caseId, 'Здравствуйте! Повторно проверили 28 ноября: фонари горят, добавлен ещё один светильник у подъезда. С уважением, администрация.',
      false);
    await tgWithButton(chat, `rate:${messageId}:`, second);
    // Even on the first round's keyboard, which the citizen still sees, the second round's rating is accepted once.
    expect(await tgPress(chat, rating.messageId, `rate:${messageId}:4`)).toBe(TEXTS.thanksRating(4));
    expect(await statusOf(caseId)).toBe('closed');
    expect(await tgPress(chat, rating.messageId, `rate:${messageId}:5`)).toBe(TEXTS.ratingAlreadyGiven);
    const history = (await call(`/api/v1/cases/${caseId}`, 'GET', tokens.moderator!)).body.history as { type: string;
      data: { rating?: number; round?: number } }[];
    expect(history.filter((e) => e.type === 'rate').map((e) => [e.data.rating, e.data.round])).toEqual([[2, 0], [4, 1]]);
  });

  it("VK: the rating request in a community dialog carries callback buttons; presses are answered and only the author's count", async () => {
    const user = 555000000 + Math.floor(Math.random() * 1000);
    const message = buildVkMessage({ from_id: user, peer_id: user,
      text: 'Здравствуйте! На улице Кирова у дома 12 открыт канализационный люк, прошу закрыть.' });
    const hook = (type: string, object: unknown) =>
      fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(buildVkCallback(type, object, { secret: 'cb-secret' })) });
    expect((await hook('message_new', message)).status).toBe(200);
    const messageId = messageIdFor('vk', `msg${user}_${message.message.conversation_message_id}`);
    const caseId = caseIdFor(messageId);
    await eventually(async () => vk.sentMessages.find((m) => m.peerId === user && m.message.includes('зарегистрировано')), 20_000, 'registered');

    await answer(caseId, 'Здравствуйте! Люк у дома 12 по ул. Кирова закрыт 21 ноября, крышка заменена. С уважением, администрация района.', true);
    const request = await eventually(async () => vk.sentMessages.find((m) => m.peerId === user && m.keyboard), 20_000, 'rating keyboard');
    const keyboard = JSON.parse(request.keyboard!) as { inline: boolean; buttons: { action: { type: string; label: string; payload: string } }[][] };
    expect(keyboard.inline).toBe(true);
    expect(keyboard.buttons[0]!.map((b) => [b.action.type, b.action.label])).toEqual([1, 2, 3, 4, 5].map((n) => ['callback', String(n)]));
    const payloadOf = (n: number) => JSON.parse(keyboard.buttons[0]![n - 1]!.action.payload) as Record<string, unknown>;

    let event = 0;
    const press = async (userId: number, payload: unknown) => {
      const eventId = `evt-${++event}`;
      expect((await hook('message_event', { user_id: userId, peer_id: user, event_id: eventId, payload, conversation_message_id: 5 })).status).toBe(200);
      return JSON.parse(vk.eventAnswers.find((a) => a.eventId === eventId)!.eventData!).text as string;
    };
    expect(await press(user + 1, payloadOf(1))).toBe(TEXTS.ratingNotYours);
    expect(await statusOf(caseId)).toBe('answered');
    expect(await press(user, payloadOf(3))).toBe(TEXTS.thanksRating(3));
    expect(await statusOf(caseId)).toBe('rated');
    const offer = vk.sentMessages.filter((m) => m.peerId === user).at(-1)!;
    expect(offer.message).toContain(TEXTS.repeatOffer);
    const repeat = JSON.parse(JSON.parse(offer.keyboard!).buttons[0][0].action.payload) as Record<string, unknown>;
    expect(await press(user, repeat)).toBe(TEXTS.repeatAccepted.slice(0, 90));
    expect(await statusOf(caseId)).toBe('repeat_review');
    // A press sent as a plain message (a client without callback buttons) is a press, not a new appeal.
    const asText = buildVkMessage({ from_id: user, peer_id: user, text: '5' });
    expect((await hook('message_new', { ...asText, message: { ...asText.message, payload: JSON.stringify(payloadOf(5)) } })).status).toBe(200);
    await eventually(async () => vk.sentMessages.filter((m) => m.peerId === user).at(-1)!.message === TEXTS.ratingNotAwaited, 10_000, 'press answered');
    expect((await system.db.query('select 1 from messages where external_id = $1', [`msg${user}_${asText.message.conversation_message_id}`])).rowCount).toBe(0);
  });
});
