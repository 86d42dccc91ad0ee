import { createHash } from 'node:crypto';
import { APIError, APIErrorCode, type API } from 'vk-io';
import type { OutboundMessage } from '../../lib/queues.js';
import { networkAdapter, TargetError, type OutboundAdapter } from '../outbound-adapter.js';
import { vkRatingKeyboard } from './citizen-buttons.js';

/** messages.send wants a positive int32 random_id; deriving it from the outboundId lets VK drop a resend. */
export function vkRandomId(outboundId: string): number {
  return createHash('sha256').update(outboundId).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * VK's refusals that a retry in a minute will not change: no right to write there, comments closed, links forbidden,
 * the person blocked the community or forbade its messages. Such a delivery fails at once (staff see it failed and
 * send it again once the cause is fixed) instead of spending its retries over hours.
 */
const REFUSALS_FOR_GOOD: ReadonlySet<number> = new Set([
  APIErrorCode.PERMISSION,
  APIErrorCode.ACCESS,
  APIErrorCode.ACCESS_GROUP,
  APIErrorCode.WALL_ACCESS_POST,
  APIErrorCode.WALL_ACCESS_COMMENT,
  APIErrorCode.WALL_ACCESS_REPLIES,
  APIErrorCode.WALL_ACCESS_ADD_REPLY,
  APIErrorCode.WALL_LINKS_FORBIDDEN,
  APIErrorCode.MESSAGES_USER_BLOCKED,
  APIErrorCode.MESSAGES_DENY_SEND,
  APIErrorCode.MESSAGES_PRIVACY,
]);

async function call<T>(api: API, method: string, params: Record<string, unknown>): Promise<T> {
  try {
    return await api.call(method, params) as T;
  } catch (err) {
    if (err instanceof APIError && REFUSALS_FOR_GOOD.has(err.code as number)) throw new TargetError(`VK refused ${method}: ${err.message}`);
    throw err;
  }
}

/**
 * Replies from the official community: a community message (peerId), a board comment, or a wall comment (guid makes
 * VK drop a resend). Wall and board replies go only to the region's own communities (VK_GROUP_IDS), speaking for the
 * community whose wall it is: a stranger's wall is never written on, whatever a job asks (a TargetError, not retried).
 */
export function createVkOutbound(vk: { api: API; groupIds: number[] } | undefined): OutboundAdapter {
  return networkAdapter('vk', { network: 'VK', settings: 'VK_GROUP_TOKEN' }, vk, async (vk, m) => {
    const t = m.target;
    const text = withLinks(m);
    if (t.peerId) {
      // A rating request in a community dialog carries the 1–5 buttons (citizen-buttons.ts takes the presses).
      const keyboard = m.kind === 'rating_request' && m.messageId ? { keyboard: vkRatingKeyboard(m.messageId) } : {};
      const id = await call<number>(vk.api, 'messages.send', { peer_id: Number(t.peerId), message: text, random_id: vkRandomId(m.outboundId), ...keyboard });
      return { status: 'sent', externalRef: `msg${t.peerId}_${String(id)}` };
    }
    if (t.topicId && t.groupId) {
      if (!vk.groupIds.includes(Number(t.groupId))) {
        throw new TargetError(`board of community ${t.groupId} is not one of the region's (VK_GROUP_IDS): never posted to`);
      }
      const r = await call<number>(vk.api, 'board.createComment', { group_id: Number(t.groupId), topic_id: Number(t.topicId), message: text, from_group: 1,
        guid: m.outboundId });
      return { status: 'sent', externalRef: `board${t.groupId}_${t.topicId}_${String(r)}` };
    }
    if (t.ownerId && t.postId) {
      const owner = Number(t.ownerId);
      if (!(owner < 0 && vk.groupIds.includes(-owner))) {
        throw new TargetError(`wall ${owner} is not a wall of the region's communities (VK_GROUP_IDS): never posted to`);
      }
      const r = await call<{ comment_id?: number }>(vk.api, 'wall.createComment', {
        owner_id: owner,
        post_id: Number(t.postId),
        message: text,
        from_group: -owner,
        reply_to_comment: t.commentId ? Number(t.commentId) : undefined,
        guid: m.outboundId,
      });
      return { status: 'sent', externalRef: `wall${owner}_${t.postId}_c${r.comment_id ?? ''}` };
    }
    throw new TargetError('vk target needs peerId, ownerId+postId or groupId+topicId');
  });
}

/** Text channels carry links as a title and the address on its own line. */
export function withLinks(m: Pick<OutboundMessage, 'text' | 'links'>): string {
  if (!m.links?.length) return m.text;
  return `${m.text}\n\n${m.links.map((l) => `${l.title}: ${l.url}`).join('\n')}`;
}
