/**
 * One person, one vote across channels, through the real flows: SMS and e-mail codes (sent through the outbound
 * queue, read where development mode records them) and the Telegram bot, where the person shares their own phone.
 * The person tried four times — by phone, by e-mail, by the same e-mail with a `+tag` on another device, and from
 * Telegram — and counts once; someone sharing another person's contact gains nothing. The order does not matter: a
 * vote cast before two ways were known to be one person's, and a token issued before, count as that person's; where
 * both ways had voted before, the later vote is quarantined when they are linked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { tgCallback, tgPrivateMessage } from '../fakes/payloads.js';
import { codeOfChallenge } from '../codes.js';
import { loginAs, startTestSystem } from '../support.js';

const TOKEN = '123456:POLLS-one-person';

interface PollJson {
  id: string;
  questions: { id: string; options: { id: string }[] }[];
}

describe('one person, one vote: phone, e-mail, e-mail with a tag, Telegram', () => {
  let tg: FakeTelegram;
  let system: Otklik;
  let admin: string;
  let updateId = 1;

  beforeAll(async () => {
    tg = await startFakeTelegram({ token: TOKEN });
    system = await startTestSystem({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'wh', TELEGRAM_API_ROOT: tg.apiRoot,
      OTKLIK_POLL_IP_LIMIT_PER_MINUTE: '10000' }, ['ingest', 'workflow']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
    await tg?.close();
  });

  const json = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${system.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers },
      body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any, cookie: res.headers.get('set-cookie')?.split(';')[0] };
  };
  /** A browser verifying a destination by its code; `cookie` is the voter token it already holds, if any. */
  const verify = async (channel: 'phone' | 'email', destination: string, cookie?: string) => {
    const start = await json('POST', '/api/v1/public/identity/code', { channel, destination });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const code = await codeOfChallenge(system.db, start.body.challengeId);
    const done = await json('POST', '/api/v1/public/identity/verify', { challengeId: start.body.challengeId, code }, cookie ? { cookie } : {});
    expect(done.status).toBe(200);
    return done.cookie!;
  };
  const vote = (poll: PollJson, cookie: string, option = 0) =>
    json('POST', `/api/v1/public/polls/${poll.id}/votes`, {
      answers: [{ questionId: poll.questions[0]!.id, optionIds: [poll.questions[0]!.options[option]!.id] }],
    }, { cookie });
  const tgSend = async (update: Record<string, unknown>) => {
    const res = await fetch(`${system.url}/webhooks/telegram`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wh' }, body: JSON.stringify({ update_id: updateId++, ...update }) });
    expect(res.status).toBe(200);
  };
  const tgPress = async (chat: number, data: string) => {
    const q = tgCallback(chat, 1, data);
    await tgSend({ callback_query: q });
    return (tg.calls.find((c) => c.method === 'answerCallbackQuery' && c.payload.callback_query_id === q.id)?.payload as { text?: string }).text ?? '';
  };

  const openPoll = async (title: string): Promise<PollJson> => {
    const created = await json('POST', '/api/v1/polls', { title, description: 'Голосование жителей района.', municipalities: [],
      questions: [{ kind: 'single', text: 'Выберите место', options: ['Сквер у школы', 'Двор на Мира, 5', 'Парк у реки'] }] }, {
      authorization: `Bearer ${admin}`,
    });
    expect(created.status).toBe(201);
    for (const to of ['published', 'open']) {
      expect((await json('POST', `/api/v1/polls/${created.body.id}/status`, { to }, { authorization: `Bearer ${admin}` })).status).toBe(200);
    }
    return created.body as PollJson;
  };

  it("counts the person once, whichever way they come, and refuses a contact that is not the sender's own", async () => {
    const poll = await openPoll('Где поставить новую детскую площадку?');

    const phoneBrowser = await verify('phone', '8 (913) 123-45-67');
    expect((await vote(poll, phoneBrowser)).status).toBe(201);
    // The same browser confirms the person's mailbox too: both are theirs.
    const mailBrowser = await verify('email', 'Ivan.Petrov@Gmail.com', phoneBrowser);
    expect((await vote(poll, mailBrowser, 1)).status).toBe(409);
    // Another device, the same mailbox with a sub-address: one mailbox, one person.
    const tagged = await verify('email', 'ivanpetrov+polls@gmail.com');
    expect((await vote(poll, tagged, 2)).status).toBe(409);

    // Telegram: the person shares their own number with the bot, then votes from the poll's keyboard.
    const chat = 4700100;
    await tgSend({ message: tgPrivateMessage(chat, { text: '/phone' }) });
    expect(JSON.stringify(tg.sent.at(-1)!.replyMarkup)).toContain('request_contact');
    await tgSend({ message: tgPrivateMessage(chat, { contact: { phone_number: '+7 913 123 45 67', first_name: 'Иван', user_id: chat } }) });
    expect(tg.sent.at(-1)!.text).toMatch(/Номер подтверждён/);
    expect(await tgPress(chat, `poll:${poll.id}:0:2`)).toMatch(/уже проголосовали/);

    // Someone forwarding that person's contact as their own is not that person (and votes as themselves).
    const other = 4700200;
    await tgSend({ message: tgPrivateMessage(other, { contact: { phone_number: '+79131234567', first_name: 'Иван', user_id: chat } }) });
    expect(tg.sent.at(-1)!.text).toMatch(/только свой номер/);
    expect(await tgPress(other, `poll:${poll.id}:0:2`)).toMatch(/голос учтён/);

    const votes = await system.db.query<{ n: number }>('select count(*)::int as n from votes where poll_id = $1', [poll.id]);
    expect(votes.rows[0]!.n).toBe(2);
    // The links keep hashes only.
    expect(JSON.stringify((await system.db.query('select * from voter_links')).rows)).not.toMatch(/gmail|79131234567|4700100/);
  });

  it('counts the person once whatever the order: a vote before the ways were linked, and a token from before the link', async () => {
    const poll = await openPoll('Какой двор благоустроить первым?');
    // Telegram first, the phone shared only afterwards, then the site by that phone.
    const chat = 4700300;
    expect(await tgPress(chat, `poll:${poll.id}:0:1`)).toMatch(/голос учтён/);
    await tgSend({ message: tgPrivateMessage(chat, { contact: { phone_number: '+7 913 765 43 21', first_name: 'Мария', user_id: chat } }) });
    expect(tg.sent.at(-1)!.text).toMatch(/Номер подтверждён/);
    expect((await vote(poll, await verify('phone', '8 913 765-43-21'))).status).toBe(409);

    // A mailbox votes on one device; on another the person confirms their phone and then that mailbox.
    const mailDevice = await verify('email', 'olga.smirnova@yandex.ru');
    expect((await vote(poll, mailDevice)).status).toBe(201);
    const phoneDevice = await verify('phone', '+7 913 700-11-22');
    const linked = await verify('email', 'olga.smirnova@yandex.ru', phoneDevice);
    expect((await vote(poll, linked, 2)).status).toBe(409);
    expect((await vote(poll, phoneDevice, 2)).status).toBe(409);

    // A token issued to a mailbox before it was linked to a phone votes as that phone's person.
    const early = await verify('email', 'petr.kuznetsov@mail.ru');
    const phone = await verify('phone', '+7 913 700-33-44');
    await verify('email', 'petr.kuznetsov@mail.ru', phone);
    expect((await vote(poll, phone)).status).toBe(201);
    expect((await vote(poll, early, 1)).status).toBe(409);

    const votes = await system.db.query<{ n: number }>('select count(*)::int as n from votes where poll_id = $1', [poll.id]);
    expect(votes.rows[0]!.n).toBe(3);
  });

  it('quarantines the later of two votes the person cast by two ways before they were known to be one', async () => {
    const poll = await openPoll('Какую улицу отремонтировать первой?');
    const mail = await verify('email', 'anna.volkova@yandex.ru');
    expect((await vote(poll, mail, 0)).status).toBe(201);
    // Another device, the phone: not yet known to be the same person, so it votes too.
    const phone = await verify('phone', '+7 913 700-55-66');
    expect((await vote(poll, phone, 1)).status).toBe(201);
    // The person confirms the mailbox on the phone's device: one person, two votes; the later one stops counting.
    await verify('email', 'anna.volkova@yandex.ru', phone);
    const staff = { authorization: `Bearer ${admin}` };
    expect((await json('GET', `/api/v1/polls/${poll.id}`, undefined, staff)).body.totals).toEqual({ accepted: 1, quarantined: 1 });
    const quarantined = (await json('GET', `/api/v1/polls/${poll.id}/votes?status=quarantined`, undefined, staff)).body.items as { id: string }[];
    const audit = (await json('GET', `/api/v1/polls/${poll.id}/audit`, undefined, staff)).body.items as Record<string, string>[];
    expect(audit).toEqual([expect.objectContaining({ voteId: quarantined[0]!.id, action: 'quarantine', actor: 'система' })]);
    expect(audit[0]!.reason).toMatch(/учтён первый голос/);
    // The first vote (the mailbox's) is the one that counts.
    const counted = await system.db.query<{ option_id: string }>(
      `select a.option_id from votes v join vote_answers a on a.vote_id = v.id where v.poll_id = $1 and v.status = 'accepted'`,
      [poll.id],
    );
    expect(counted.rows).toEqual([{ option_id: poll.questions[0]!.options[0]!.id }]);
    // Linking again changes nothing.
    await verify('email', 'anna.volkova@yandex.ru', phone);
    expect((await json('GET', `/api/v1/polls/${poll.id}`, undefined, staff)).body.totals).toEqual({ accepted: 1, quarantined: 1 });
  });
});
