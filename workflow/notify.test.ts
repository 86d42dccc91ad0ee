import { describe, expect, it } from 'vitest';
import { SMS_MAX_CHARS } from '../lib/queues.js';
import { attachmentLinks, citizenAddress, citizenNotices, replyTarget, shortened, type MessageOrigin } from './notify.js';

const origin = (o: Partial<MessageOrigin>): MessageOrigin => ({ source: 'vk', externalId: '', provenance: {}, contact: {}, ...o });

describe('replyTarget', () => {
  it('answers VK wall comments under the comment, posts under the post, messages in the dialog, topics in the topic', () => {
    expect(replyTarget(origin({ externalId: 'wall-123_45_c678' }))).toEqual({ ownerId: '-123', postId: '45', commentId: '678' });
    expect(replyTarget(origin({ externalId: 'wall-123_45' }))).toEqual({ ownerId: '-123', postId: '45' });
    expect(replyTarget(origin({ externalId: 'msg2000000001_17', provenance: { peerId: '2000000001' } }))).toEqual({ peerId: '2000000001' });
    expect(replyTarget(origin({ externalId: 'msg777_17' }))).toEqual({ peerId: '777' });
    expect(replyTarget(origin({ externalId: 'board55_9_100' }))).toEqual({ groupId: '55', topicId: '9' });
    expect(replyTarget(origin({ externalId: 'something-else' }))).toBeUndefined();
  });

  it('answers Telegram in the chat, quoting the message', () => {
    expect(replyTarget(origin({ source: 'telegram', externalId: '-100200:31' }))).toEqual({ chatId: '-100200', replyToMessageId: '31' });
    expect(replyTarget(origin({ source: 'telegram', externalId: 'x', contact: { channelUserId: '42' } }))).toEqual({ chatId: '42' });
  });

  it('answers the networks added later at the `reply.*` address their normaliser gave', () => {
    expect(
      replyTarget(
        origin({ source: 'max', externalId: '-70:mid.1', provenance: { channel: 'max', via: 'chat', 'reply.chatId': '-70', 'reply.replyToMid': 'mid.1' } }),
      ),
    )
      .toEqual({ chatId: '-70', replyToMid: 'mid.1' });
    expect(replyTarget(origin({ source: 'ok', externalId: 'x', provenance: { 'reply.groupId': '5', 'reply.topicId': '9', 'reply.commentId': '' } })))
      .toEqual({ groupId: '5', topicId: '9' });
    expect(replyTarget(origin({ source: 'ok', externalId: 'x', provenance: { groupId: '5' } }))).toBeUndefined();
  });

  it('uses the contact given on the widget and at the 122 contact center, and nothing when there is none', () => {
    expect(replyTarget(origin({ source: 'widget', externalId: 'k', contact: { email: 'a@b.ru', phone: null } }))).toEqual({ email: 'a@b.ru' });
    expect(replyTarget(origin({ source: 'contact_center', externalId: 'c', contact: { phone: '+73912223344' } }))).toEqual({ phone: '+73912223344' });
    expect(replyTarget(origin({ source: 'contact_center', externalId: 'c' }))).toBeUndefined();
  });
});

describe('citizenNotices', () => {
  const ctx = { registrationNumber: '2026-000042', deadlineAt: new Date('2026-12-20T10:00:00Z'), organizationName: 'Администрация Советского района' };
  it('tells the registration number and the deadline', () => {
    expect(citizenNotices('registered', ctx)).toEqual([{ kind: 'registered', subject: 'Обращение № 2026-000042 зарегистрировано',
      text: expect.stringContaining('2026-000042') }]);
    expect(citizenNotices('registered', ctx)[0]!.text).toContain('20.12.2026');
  });
  it('prints the deadline as a date of the region, not of UTC', () => {
    // 23:59:59 on 3 Jan in Krasnoyarsk is still 3 Jan there, though 16:59 UTC; 18:00 UTC on 4 Dec is the 5th there.
    const endOfDay = { ...ctx, deadlineAt: new Date('2027-01-03T16:59:59.999Z'), timeZone: 'Asia/Krasnoyarsk' };
    expect(citizenNotices('registered', endOfDay)[0]!.text).toContain('до 03.01.2027');
    expect(citizenNotices('registered', { ...ctx, deadlineAt: new Date('2026-12-04T18:00:00Z'), timeZone: 'Asia/Krasnoyarsk' })[0]!.text).toContain(
      '05.12.2026',
    );
  });
  it('tells the reason of a rejection, sends the answer with a rating request, and keeps internal steps quiet', () => {
    expect(citizenNotices('rejected', { ...ctx, reason: 'нецензурная лексика' })[0]).toEqual({ kind: 'rejection', subject: 'Обращение № 2026-000042 отклонено',
      text: expect.stringContaining('нецензурная лексика') });
    expect(citizenNotices('answered', { ...ctx, answerText: 'Здравствуйте! Яма заделана.' }).map((n) => n.kind)).toEqual(['answer', 'rating_request']);
    expect(citizenNotices('draft', ctx)).toEqual([]);
    expect(citizenNotices('returned', ctx)).toEqual([]);
    expect(citizenNotices('routed', ctx)[0]!.text).toContain('Администрация Советского района');
  });
});

describe('citizenAddress', () => {
  it('answers the widget and the 122 by e-mail when they left one, else by SMS, and not at all without a contact', () => {
    const both = origin({ source: 'widget', externalId: 'k', contact: { email: 'a@b.ru', phone: '+79131234567' } });
    expect(citizenAddress(both)).toEqual({ channel: 'email', target: { email: 'a@b.ru' }, private: true, buttons: false });
    expect(citizenAddress(origin({ source: 'contact_center', externalId: 'c', contact: { phone: '+73912223344' } })))
      .toEqual({ channel: 'sms', target: { phone: '+73912223344' }, private: true, buttons: false });
    expect(citizenAddress(origin({ source: 'contact_center', externalId: 'c' }))).toBeUndefined();
  });
  it('is private with buttons in a chat with the bot and a VK dialog; public under a wall comment and in groups', () => {
    expect(citizenAddress(origin({ source: 'telegram', externalId: '42:7' }))).toMatchObject({ private: true, buttons: true });
    expect(citizenAddress(origin({ source: 'telegram', externalId: '-1001234567890:31' }))).toMatchObject({ private: false, buttons: false });
    expect(citizenAddress(origin({ externalId: 'msg777_17', provenance: { peerId: '777' } })))
      .toEqual({ channel: 'vk', target: { peerId: '777' }, private: true, buttons: true });
    expect(citizenAddress(origin({ externalId: 'msg2000000001_17', provenance: { peerId: '2000000001' } }))).toMatchObject({ private: false });
    expect(citizenAddress(origin({ externalId: 'wall-123_45_c678' }))).toMatchObject({ private: false, buttons: false });
  });
});

describe('citizenNotices with the status page', () => {
  const ctx = { registrationNumber: '2026-000042', deadlineAt: new Date('2026-12-20T10:00:00Z'),
    statusUrl: 'https://otklik.example.ru/status/2026-000042?token=t' };
  const email = { channel: 'email', buttons: false, private: true } as const;
  const sms = { channel: 'sms', buttons: false, private: true } as const;
  it('links every notice to the status page', () => {
    for (const step of ['registered', 'routed', 'rejected', 'repeat_review', 'closed'] as const) {
      expect(citizenNotices(step, ctx, email)[0]!.links).toEqual([expect.objectContaining({ url: ctx.statusUrl })]);
    }
  });
  it('sends the answer with its attachments as links and the page to rate it; by SMS the answer itself with the link', () => {
    const answered = { ...ctx, answerText: 'Здравствуйте! Яма заделана 12 ноября.',
      answerAttachments: [{ kind: 'photo' as const, ref: 'https://files.example.ru/yama.jpg' }, { kind: 'photo' as const, ref: 'AgADBAAD-telegram-file' }] };
    const [answer, rating] = citizenNotices('answered', answered, email);
    expect(answer!.text).toContain('Яма заделана');
    expect(answer!.links).toEqual([{ title: 'Фото 1', url: 'https://files.example.ru/yama.jpg' }, { title: 'Оценить ответ', url: ctx.statusUrl }]);
    expect(rating!.kind).toBe('rating_request');
    const bySms = citizenNotices('answered', answered, sms);
    expect(bySms).toEqual([{ kind: 'answer', subject: expect.any(String), text: 'Ответ на сообщение № 2026-000042: Здравствуйте! Яма заделана 12 ноября.',
      links: [{ title: 'Полный ответ, вложения и оценка', url: ctx.statusUrl }] }]);
  });
  it('shortens a long answer by SMS at a word so that it fits one SMS with the link to the whole of it', () => {
    const answerText = `Здравствуйте!\n\nПо вашему обращению проведена проверка. ${
      'Работы по ремонту проезда выполнены подрядчиком. '.repeat(30)
    }С уважением, администрация.`;
    const [sms1] = citizenNotices('answered', { ...ctx, answerText }, sms);
    const link = sms1!.links!.map((l) => `\n${l.title}: ${l.url}`).join('');
    expect(sms1!.links).toEqual([{ title: 'Полный ответ и оценка', url: ctx.statusUrl }]);
    expect(sms1!.text).toMatch(/^Ответ на сообщение № 2026-000042: Здравствуйте! По вашему обращению проведена проверка\. Работы/);
    expect(sms1!.text).toMatch(/[а-я.]…$/);
    expect(sms1!.text.length + link.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(sms1!.text.length + link.length).toBeGreaterThan(SMS_MAX_CHARS - 60);
    expect(shortened('раз два три', 8)).toBe('раз два…');
    expect(shortened('раз два три', 20)).toBe('раз два три');
  });
  it('offers a repeat review after a low rating where there are no buttons for it', () => {
    expect(citizenNotices('rated_low', { ...ctx, rating: 2 }, email)[0]).toMatchObject({ kind: 'status', text: expect.stringContaining('2 из 5'),
      links: [{ title: 'Попросить о повторном рассмотрении', url: ctx.statusUrl }] });
    expect(citizenNotices('rated_low', { ...ctx, rating: 2 }, { channel: 'telegram', buttons: true, private: true })).toEqual([]);
  });
  it('never posts the link where others read it: a wall comment gets the notice without it', () => {
    const wall = { channel: 'vk', buttons: false, private: false } as const;
    const [registered] = citizenNotices('registered', ctx, wall);
    expect(registered!.text).toContain('2026-000042');
    expect(registered!.links).toBeUndefined();
    expect(JSON.stringify(citizenNotices('answered', { ...ctx, answerText: 'Сделано.' }, wall))).not.toContain('token=');
    expect(JSON.stringify(citizenNotices('answered', { ...ctx, answerText: 'Сделано.' }, wall))).not.toMatch(/оцени/i);
    expect(citizenNotices('rated_low', { ...ctx, rating: 1 }, wall)).toEqual([]);
  });
  it('asks to rate only where the citizen can: never on a VK wall, a board topic or a Telegram group', () => {
    const answered = { ...ctx, answerText: 'Здравствуйте! Яма заделана.' };
    for (const channel of ['vk', 'telegram'] as const) {
      expect(citizenNotices('answered', answered, { channel, buttons: false, private: false }).map((n) => n.kind)).toEqual(['answer']);
      expect(citizenNotices('answered', answered, { channel, buttons: true, private: true }).map((n) => n.kind)).toEqual(['answer', 'rating_request']);
    }
  });
  it('cuts an answer longer than a message holds, and never links more than a message carries', () => {
    const long = citizenNotices('answered', { ...ctx, answerText: 'а'.repeat(12_000) }, email)[0]!;
    expect(long.text.length).toBeLessThan(10_000);
    expect(attachmentLinks(Array.from({ length: 25 }, (_, i) => ({ kind: 'photo' as const, ref: `https://x.ru/${i}.jpg` })))).toHaveLength(19);
  });
});
