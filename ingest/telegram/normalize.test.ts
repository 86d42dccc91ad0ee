import type { Message } from '@telegraf/types';
import { describe, expect, it } from 'vitest';
import { authorHash } from '../../lib/hash.js';
import { tgChannelPost, tgGroupMessage, tgPhoto } from '../../test/fakes/payloads.js';
import { normalizeTelegramPost, telegramLink } from './normalize.js';

const asMessage = (x: unknown) => x as Message;

describe('Telegram group and channel posts → IncomingMessage', () => {
  it('keeps the photo as a file_id reference, the link back and the author hash', () => {
    const m = tgGroupMessage({ message_id: 31, text: undefined, caption: 'Яма на дороге у дома 7', photo: tgPhoto('ph1') });
    const n = normalizeTelegramPost(asMessage(m), { salt: 's' });
    if (!n.ok) throw new Error(n.reason);
    expect(n.message).toMatchObject({
      source: 'telegram',
      externalId: '-1001234567890:31',
      link: 'https://t.me/krsk_complaints/31',
      text: 'Яма на дороге у дома 7',
      authorHash: authorHash('s', 'telegram', 'user:4200200'),
      contact: { channelUserId: '-1001234567890' },
    });
    expect(n.message.attachments).toEqual([{ kind: 'photo', ref: 'ph1-big', size: 98_000, meta: { fileUniqueId: 'ph1b', width: 1280, height: 960 } }]);
  });

  it('takes channel posts, drops bots, commands and empty messages', () => {
    const c = normalizeTelegramPost(asMessage(tgChannelPost({ message_id: 5 })), { salt: 's' });
    expect(c.ok && [c.message.externalId, c.message.provenance.via, c.message.origin]).toEqual(['-1009876543210:5', 'channel', 'signal']);
    expect(normalizeTelegramPost(asMessage(tgGroupMessage({ from: { id: 1, is_bot: true, first_name: 'b' } })), { salt: 's' })).toEqual({ ok: false,
      reason: 'bot' });
    expect(normalizeTelegramPost(asMessage(tgGroupMessage({ text: '/start' })), { salt: 's' })).toEqual({ ok: false, reason: 'command' });
    expect(normalizeTelegramPost(asMessage(tgGroupMessage({ text: ' ' })), { salt: 's' })).toEqual({ ok: false, reason: 'empty' });
  });

  it('links private supergroups through t.me/c and gives no link for a private chat', () => {
    expect(telegramLink({ id: -1005550001, type: 'supergroup' }, 9)).toBe('https://t.me/c/5550001/9');
    expect(telegramLink({ id: 42, type: 'private' }, 9)).toBeUndefined();
  });
});
