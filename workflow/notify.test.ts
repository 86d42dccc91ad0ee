import { describe, expect, it } from 'vitest';
import { citizenNotices, replyTarget, type MessageOrigin } from './notify.js';

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

  it('uses the contact given on the widget and at the 122 contact center, and nothing when there is none', () => {
    expect(replyTarget(origin({ source: 'widget', externalId: 'k', contact: { email: 'a@b.ru', phone: null } }))).toEqual({ email: 'a@b.ru' });
    expect(replyTarget(origin({ source: 'contact_center', externalId: 'c', contact: { phone: '+73912223344' } }))).toEqual({ phone: '+73912223344' });
    expect(replyTarget(origin({ source: 'contact_center', externalId: 'c' }))).toBeUndefined();
  });
});

describe('citizenNotices', () => {
  const ctx = { registrationNumber: '2026-000042', deadlineAt: new Date('2026-12-20T10:00:00Z'), organizationName: 'Администрация Советского района' };
  it('tells the registration number and the deadline', () => {
    expect(citizenNotices('registered', ctx)).toEqual([{ kind: 'registered', text: expect.stringContaining('2026-000042') }]);
    expect(citizenNotices('registered', ctx)[0]!.text).toContain('20.12.2026');
  });
  it('prints the deadline as a date of the region, not of UTC', () => {
    // 23:59:59 on 3 Jan in Krasnoyarsk is still 3 Jan there, though 16:59 UTC; 18:00 UTC on 4 Dec is the 5th there.
    const endOfDay = { ...ctx, deadlineAt: new Date('2027-01-03T16:59:59.999Z'), timeZone: 'Asia/Krasnoyarsk' };
    expect(citizenNotices('registered', endOfDay)[0]!.text).toContain('до 03.01.2027');
    expect(citizenNotices('registered', { ...ctx, deadlineAt: new Date('2026-12-04T18:00:00Z'), timeZone: 'Asia/Krasnoyarsk' })[0]!.text).toContain('05.12.2026');
  });
  it('tells the reason of a rejection, sends the answer with a rating request, and keeps internal steps quiet', () => {
    expect(citizenNotices('rejected', { ...ctx, reason: 'нецензурная лексика' })[0]).toEqual({ kind: 'rejection', text: expect.stringContaining('нецензурная лексика') });
    expect(citizenNotices('answered', { ...ctx, answerText: 'Здравствуйте! Яма заделана.' }).map((n) => n.kind)).toEqual(['answer', 'rating_request']);
    expect(citizenNotices('draft', ctx)).toEqual([]);
    expect(citizenNotices('returned', ctx)).toEqual([]);
    expect(citizenNotices('routed', ctx)[0]!.text).toContain('Администрация Советского района');
  });
});
