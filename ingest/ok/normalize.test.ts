import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { network } from './network.js';
import { normalizeOkComment, normalizeOkMessage, okCommentTime, okWebhookSchema } from './normalize.js';

const webhook = (o: Record<string, unknown> = {}) =>
  okWebhookSchema.parse({
    sender: { user_id: 'user:577000111', name: 'Ольга' },
    recipient: { chat_id: 'chat:C3ecb9d02a600' },
    message: { text: ' Не работает освещение ', seq: 98211023614189660, mid: 'mid:C3ecb9d02a600.15cea67d78d2059',
      attachments: [{ type: 'SHARE', payload: { url: 'https://ya.ru/' } }, { type: 'STICKER', payload: {} }] },
    timestamp: 1498581292941,
    ...o,
  });

describe('Одноклассники messages and comments', () => {
  it('makes a group message an appeal answered in its chat, quoting it', () => {
    const n = normalizeOkMessage('53038939046008', webhook(), { salt: 's' });
    if (!n.ok) throw new Error(n.reason);
    expect(n.message).toMatchObject({
      source: 'ok',
      origin: 'appeal',
      externalId: '53038939046008:mid:C3ecb9d02a600.15cea67d78d2059',
      text: 'Не работает освещение',
      receivedAt: '2017-06-27T16:34:52.941Z',
      attachments: [{ kind: 'link', ref: 'https://ya.ru/' }],
      contact: { name: 'Ольга', channelUserId: 'chat:C3ecb9d02a600' },
      provenance: { via: 'message', 'reply.groupId': '53038939046008', 'reply.chatId': 'chat:C3ecb9d02a600',
        'reply.replyToMid': 'mid:C3ecb9d02a600.15cea67d78d2059' },
    });
    expect(normalizeOkMessage('1', webhook({ webhookType: 'CHAT_SYSTEM' }), { salt: 's' })).toEqual({ ok: false, reason: 'not_a_message' });
    expect(normalizeOkMessage('1', webhook({ message: { mid: 'mid:x', text: '  ' } }), { salt: 's' })).toEqual({ ok: false, reason: 'empty' });
  });

  it("makes a citizen's comment a signal and skips the group's own", () => {
    const n = normalizeOkComment('5', '70001', { id: 'c1', author_id: '42', text: 'Ямы на дороге', date: '2026-03-01 12:30:00' }, { salt: 's' });
    if (!n.ok) throw new Error(n.reason);
    expect(n.message).toMatchObject({ origin: 'signal', externalId: 'topic70001_cc1', link: 'https://ok.ru/group/5/topic/70001',
      receivedAt: '2026-03-01T09:30:00.000Z' });
    expect(normalizeOkComment('5', '70001', { id: 'c2', author_id: '5', text: 'Ответ группы' }, { salt: 's' })).toEqual({ ok: false, reason: 'own_group' });
    expect(normalizeOkComment('5', '70001', { id: 'c3', author_type: 'GROUP', text: 'Ответ' }, { salt: 's' })).toEqual({ ok: false, reason: 'own_group' });
  });

  it('reads comment times in Moscow time, preferring date_ms, and falls back to now', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(okCommentTime({ id: '1', date_ms: 1_700_000_000_000 }, now).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(okCommentTime({ id: '1', date: 'вчера' }, now)).toBe(now);
  });

  it('refuses to start with a webhook secret anyone could guess', () => {
    expect(() => network.check(loadConfig({ OK_WEBHOOK_SECRET: 'short' }))).toThrow(ConfigError);
    expect(() => network.check(loadConfig({ OK_WEBHOOK_SECRET: 'a'.repeat(15) + '/' }))).toThrow(ConfigError);
    expect(() => network.check(loadConfig({ OK_WEBHOOK_SECRET: 'f'.repeat(32) }))).not.toThrow();
    expect(network.modes(loadConfig({ OK_GROUPS: '1:key', OK_WEBHOOK_SECRET: 'f'.repeat(32) }))).toEqual({ ok: 'webhook', ok_comments: 'off' });
  });
});
