import { describe, expect, it } from 'vitest';
import { maxAttachments, maxMessageSchema, maxPlace, normalizeMaxDirect, normalizeMaxPost } from './normalize.js';

const message = (o: Record<string, unknown> = {}, body: Record<string, unknown> = {}) =>
  maxMessageSchema.parse({
    sender: { user_id: 42, first_name: 'Анна', last_name: 'Смирнова', is_bot: false },
    recipient: { chat_id: -70, chat_type: 'chat' },
    timestamp: 1_760_000_000_000,
    body: { mid: 'mid.0001', seq: 1, text: 'Нет горячей воды третий день', ...body },
    ...o,
  });

describe('MAX messages', () => {
  it('keeps media as references without their tokens, and a location as the place', () => {
    const list = [
      { type: 'image', payload: { photo_id: 7, token: 'secret-token', url: 'https://i.oneme.ru/i?r=7' } },
      { type: 'file', payload: { url: 'https://f.oneme.ru/1', token: 't' }, filename: 'акт.pdf', size: 1200 },
      { type: 'location', latitude: 56.01, longitude: 92.85 },
      { type: 'location', latitude: 91, longitude: 0 },
      { type: 'sticker', payload: { url: 'https://s', code: 'x' } },
      { type: 'contact', payload: { vcf_info: 'TEL:+7…' } },
    ];
    expect(maxAttachments(list)).toEqual([
      { kind: 'photo', ref: 'https://i.oneme.ru/i?r=7', meta: { photoId: 7 } },
      { kind: 'document', ref: 'https://f.oneme.ru/1', size: 1200, meta: { fileName: 'акт.pdf' } },
      { kind: 'location', ref: 'geo:56.01,92.85' },
    ]);
    expect(JSON.stringify(maxAttachments(list))).not.toContain('token');
    expect(maxPlace(list)).toEqual({ lat: 56.01, lon: 92.85 });
  });

  it('makes a group message a signal and a message to the bot an appeal, both answered quoting them', () => {
    const post = normalizeMaxPost(message(), { salt: 's', via: 'chat' });
    if (!post.ok) throw new Error(post.reason);
    expect(post.message).toMatchObject({ source: 'max', origin: 'signal', externalId: '-70:mid.0001', receivedAt: '2025-10-09T08:53:20.000Z',
      provenance: { via: 'chat', 'reply.chatId': '-70', 'reply.replyToMid': 'mid.0001' } });
    const direct = normalizeMaxDirect(message({ recipient: { chat_id: 900, chat_type: 'dialog' } }), { salt: 's' });
    if (!direct.ok) throw new Error(direct.reason);
    expect(direct.message).toMatchObject({ origin: 'appeal', contact: { name: 'Анна Смирнова', channelUserId: '900' },
      provenance: { via: 'bot', 'reply.chatId': '900' } });
  });

  it('answers a comment under a channel post under that post, never in the channel; a comment naming no post is dropped', () => {
    const comment = normalizeMaxPost(message({ recipient: { chat_id: -80, chat_type: 'channel', user_id: null, post_id: 4401 } }), { salt: 's',
      via: 'comment' });
    if (!comment.ok) throw new Error(comment.reason);
    expect(comment.message.provenance).toEqual({ channel: 'max', via: 'comment', chatId: '-80', postId: '4401', 'reply.postId': '4401',
      'reply.commentId': 'mid.0001' });
    expect(normalizeMaxPost(message({ recipient: { chat_id: -80, chat_type: 'channel', post_id: null } }), { salt: 's', via: 'comment' }))
      .toEqual({ ok: false, reason: 'no_post' });
    expect(maxMessageSchema.safeParse({ ...message(), recipient: { chat_id: -80, chat_type: 'channel', post_id: '../chats/1' } }).success).toBe(false);
  });

  it('drops bots, commands, empty messages and messages of no chat', () => {
    expect(normalizeMaxPost(message({ sender: { user_id: 1, is_bot: true } }), { salt: 's', via: 'chat' })).toEqual({ ok: false, reason: 'bot' });
    expect(normalizeMaxPost(message({}, { text: '/start' }), { salt: 's', via: 'chat' })).toEqual({ ok: false, reason: 'command' });
    expect(normalizeMaxPost(message({}, { text: null }), { salt: 's', via: 'chat' })).toEqual({ ok: false, reason: 'empty' });
    expect(normalizeMaxPost(message({ recipient: { chat_id: null, chat_type: 'chat' } }), { salt: 's', via: 'chat' })).toEqual({ ok: false,
      reason: 'no_chat' });
  });
});
