import { networkAdapter, TargetError, type OutboundAdapter } from '../outbound-adapter.js';
import { withLinks } from '../vk/outbound.js';
import { OkRefusedError, type OkClient } from './api.js';

/**
 * Replies from the official group. A group message is answered in its chat through the Graph API
 * (`POST /graph/me/messages/<chat_id>` with the group's Bot API key, `{recipient{chat_id}, message{text,
 * reply_to}}`); a comment under a post through the REST API (`discussions.addDiscussionComment` with entityId,
 * entityType GROUP_TOPIC, comment, reply_to_comment_id and as_admin, i.e. as the group). A refusal OK gives (a chat
 * gone, no permission) dead-letters the job; an outage or flood control is retried.
 */
export function createOkOutbound(on: { client: OkClient; tokens: Map<string, string> } | undefined): OutboundAdapter {
  return networkAdapter('ok', { network: 'Одноклассники', settings: 'OK_GROUPS' }, on, async (on, m) => {
    const t = m.target;
    if (!t.groupId) throw new TargetError('ok target needs groupId');
    const text = withLinks(m);
    try {
      if (t.chatId) return await sendToChat(on, t, text);
      if (t.topicId) return await commentOnTopic(on.client, t, text);
    } catch (err) {
      if (err instanceof OkRefusedError) throw new TargetError(err.message);
      throw err;
    }
    throw new TargetError('ok target needs chatId or topicId');
  });
}

async function sendToChat(on: { client: OkClient; tokens: Map<string, string> }, t: Record<string, string>, text: string) {
  const token = on.tokens.get(t.groupId!);
  if (!token) throw new TargetError(`no Bot API key for OK group ${t.groupId} in OK_GROUPS`);
  // The chat id goes into the path as OK writes it (`me/messages/chat:C3ecb9d02a600`).
  if (!/^chat:[\w-]{1,100}$/.test(t.chatId!)) throw new TargetError('ok chatId is not of the form chat:<id>');
  const r = await on.client.graph(token, `me/messages/${t.chatId}`, {
    recipient: { chat_id: t.chatId },
    message: { text, ...(t.replyToMid ? { reply_to: t.replyToMid } : {}) },
  }) as { success?: unknown; message_id?: unknown };
  if (r && r.success === false) throw new Error('OK did not accept the message (success: false)');
  return { status: 'sent' as const, externalRef: `${t.chatId}:${typeof r?.message_id === 'string' ? r.message_id : ''}` };
}

async function commentOnTopic(client: OkClient, t: Record<string, string>, text: string) {
  if (!client.rest) throw new TargetError('OK REST API is not configured (OK_APPLICATION_KEY, OK_APPLICATION_SECRET_KEY, OK_ACCESS_TOKEN)');
  const r = await client.rest('discussions.addDiscussionComment', {
    entityId: t.topicId!,
    entityType: 'GROUP_TOPIC',
    comment: text,
    as_admin: 'true',
    ...(t.commentId ? { reply_to_comment_id: t.commentId } : {}),
  }) as { id?: unknown } | string | null;
  const id = typeof r === 'string' ? r : r && (typeof r.id === 'string' || typeof r.id === 'number') ? String(r.id) : '';
  return { status: 'sent' as const, externalRef: `topic${t.topicId}_c${id}` };
}
