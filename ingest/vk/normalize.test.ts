import { describe, expect, it } from 'vitest';
import { authorHash } from '../../lib/hash.js';
import { messageIdFor } from '../../lib/ids.js';
import { buildVkBoardPost, buildVkComment, buildVkMessage, buildVkPost, vkPhoto } from '../../test/fakes/payloads.js';
import { normalizeVkEvent } from './normalize.js';

const ctx = { salt: 'salt', ownGroupIds: [111], provenance: { via: 'test' } };

describe('VK events → IncomingMessage', () => {
  it('takes a comment with its link back, author hash and photo reference', () => {
    const c = buildVkComment({ id: 77, owner_id: -111, post_id: 5, from_id: 42, attachments: [vkPhoto(42, 9)] });
    const n = normalizeVkEvent({ type: 'wall_reply_new', object: c, group_id: 111 }, ctx);
    if (!n.ok) throw new Error(n.reason);
    expect(n.message).toMatchObject({
      source: 'vk',
      externalId: 'wall-111_5_c77',
      messageId: messageIdFor('vk', 'wall-111_5_c77'),
      link: 'https://vk.com/wall-111_5?reply=77',
      authorHash: authorHash('salt', 'vk', '42'),
      contact: { channelUserId: '42' },
      provenance: { channel: 'vk', via: 'test', groupId: '111', ownerId: '-111' },
    });
    expect(n.message.attachments).toEqual([{ kind: 'photo', ref: 'photo42_9_a1b2c3',
      meta: { url: 'https://sun9-1.userapi.com/s/9_z.jpg', width: 960, height: 1280 } }]);
  });

  it('takes wall posts with geo, messages and board posts under their external id conventions', () => {
    const post = normalizeVkEvent({ type: 'wall_post_new', object: buildVkPost({ id: 8, owner_id: -111, from_id: 5 }) }, ctx);
    expect(post.ok && post.message.externalId).toBe('wall-111_8');
    expect(post.ok && post.message.place).toEqual({ lat: 56.0106, lon: 92.8526, address: 'Красноярск' });
    const msg = normalizeVkEvent({ type: 'message_new', object: buildVkMessage({ peer_id: 9, from_id: 9, conversation_message_id: 3 }), group_id: 111 }, ctx);
    expect(msg.ok && [msg.message.externalId, msg.message.link, msg.message.provenance.peerId]).toEqual(['msg9_3', 'https://vk.com/gim111?sel=9', '9']);
    const board = normalizeVkEvent({ type: 'board_post_new', object: buildVkBoardPost({ id: 4, topic_id: 12, topic_owner_id: -111 }) }, ctx);
    expect(board.ok && [board.message.externalId, board.message.link]).toEqual(['board111_12_4', 'https://vk.com/topic-111_12?post=4']);
  });

  it('drops our own replies and posts, empty items, malformed objects and other event types, with reasons', () => {
    expect(normalizeVkEvent({ type: 'wall_reply_new', object: buildVkComment({ from_id: -111 }) }, ctx)).toEqual({ ok: false, reason: 'own_reply' });
    expect(normalizeVkEvent({ type: 'wall_post_new', object: buildVkPost({ from_id: -111 }) }, ctx)).toEqual({ ok: false, reason: 'own_post' });
    expect(normalizeVkEvent({ type: 'wall_reply_new', object: buildVkComment({ text: '  ' }) }, ctx)).toEqual({ ok: false, reason: 'empty' });
    expect(normalizeVkEvent({ type: 'wall_reply_new', object: { text: 'x' } }, ctx)).toEqual({ ok: false, reason: 'malformed' });
    expect(normalizeVkEvent({ type: 'group_join', object: {} }, ctx)).toEqual({ ok: false, reason: 'unsupported_event' });
  });

  it('marks what monitoring found as signals and messages to the community as appeals, with whose thread each is in', () => {
    const origin = (type: string, object: unknown) => {
      const n = normalizeVkEvent({ type, object, group_id: 111 }, ctx);
      if (!n.ok) throw new Error(n.reason);
      return [n.message.origin, n.message.provenance.thread];
    };
    expect(origin('wall_reply_new', buildVkComment({ owner_id: -111 }))).toEqual(['signal', 'own']);
    expect(origin('wall_post_new', buildVkPost({ owner_id: -111 }))).toEqual(['signal', 'own']);
    expect(origin('wall_post_new', buildVkPost({ owner_id: -7777 }))).toEqual(['signal', 'foreign']);
    expect(origin('wall_reply_new', buildVkComment({ owner_id: 5550001 }))).toEqual(['signal', 'foreign']);
    expect(origin('board_post_new', buildVkBoardPost({ topic_owner_id: -111 }))).toEqual(['signal', 'own']);
    expect(origin('message_new', buildVkMessage({ peer_id: 9, from_id: 9 }))).toEqual(['appeal', undefined]);
  });

  it('keeps a photo-only comment with a placeholder text', () => {
    const n = normalizeVkEvent({ type: 'wall_reply_new', object: buildVkComment({ text: '', attachments: [vkPhoto(1, 2)] }) }, ctx);
    expect(n.ok && n.message.text).toMatch(/без текста/);
  });
});
