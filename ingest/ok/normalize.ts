/**
 * Одноклассники objects → IncomingMessage (sources in ingest/ok/README.md).
 * - A group message as the Graph API webhook posts it (graph.user.subscribe): `{sender{user_id: "user:…", name},
 *   recipient{chat_id: "chat:…"}, message{text, seq, mid: "mid:…", attachments[{type: IMAGE | VIDEO | AUDIO | SHARE |
 *   FILE, payload{url}}]}, timestamp (ms), webhookType?: MESSAGE_CREATED}`: a message to the region, so an appeal.
 * - A comment under a group post (discussions.getComments of a GROUP_TOPIC): `{id, author_id, author_type?, text,
 *   date ("yyyy-MM-dd HH:mm:ss", Moscow time), date_ms?, reply_to_comment_id?}`: found by monitoring, so a signal.
 */
import { z } from 'zod';
import type { Attachment } from '../../lib/queues.js';
import { networkMessage, type Normalized } from '../normalized.js';

const MAX_MILLIS = 253_402_300_799_999;
const id = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);
const attachment = z.object({ type: z.string() }).catchall(z.unknown());

export const okWebhookSchema = z.object({
  webhookType: z.string().max(100).optional(),
  sender: z.object({ user_id: id, name: z.string().nullish() }).loose().optional(),
  recipient: z.object({ chat_id: id }).loose().optional(),
  message: z.object({ mid: id, seq: z.unknown().optional(), text: z.string().nullish(), attachments: z.array(attachment).max(100).nullish() }).loose()
    .optional(),
  timestamp: z.number().int().min(0).max(MAX_MILLIS).optional(),
}).loose();
export type OkWebhook = z.infer<typeof okWebhookSchema>;

export const okCommentSchema = z.object({
  id,
  author_id: id.optional(),
  author_type: z.string().optional(),
  text: z.string().nullish(),
  date: z.string().max(40).optional(),
  date_ms: z.number().int().min(0).max(MAX_MILLIS).optional(),
  reply_to_comment_id: id.optional(),
}).loose();
export type OkComment = z.infer<typeof okCommentSchema>;

const KINDS: Record<string, Attachment['kind']> = { IMAGE: 'photo', VIDEO: 'video', AUDIO: 'audio', SHARE: 'link', FILE: 'document' };

/** Media stay on OK's side: the URL is the reference. */
export function okAttachments(list: z.infer<typeof attachment>[] | null | undefined): Attachment[] {
  return (list ?? []).slice(0, 50).flatMap((a): Attachment[] => {
    const url = (a.payload as { url?: unknown } | undefined)?.url;
    const kind = KINDS[a.type.toUpperCase()];
    return kind && typeof url === 'string' && url ? [{ kind, ref: url.slice(0, 2000) }] : [];
  });
}

/** A message written to the group: the appeal, answered in the same chat, quoting it. */
export function normalizeOkMessage(groupId: string, w: OkWebhook, ctx: { salt: string }): Normalized {
  if (w.webhookType && w.webhookType !== 'MESSAGE_CREATED') return { ok: false, reason: 'not_a_message' };
  if (!w.message || !w.recipient || !w.sender) return { ok: false, reason: 'not_a_message' };
  const text = (w.message.text ?? '').trim();
  const attachments = okAttachments(w.message.attachments);
  if (!text && attachments.length === 0) return { ok: false, reason: 'empty' };
  const chatId = w.recipient.chat_id;
  const mid = w.message.mid;
  const externalId = `${groupId}:${mid}`;
  return networkMessage('ok', externalId, { salt: ctx.salt, key: `user:${w.sender.user_id.replace(/^user:/, '')}` }, {
    receivedAt: new Date(w.timestamp ?? Date.now()).toISOString(),
    text,
    contact: { name: w.sender.name?.slice(0, 300) || undefined, channelUserId: chatId.slice(0, 100) },
    attachments,
    provenance: { channel: 'ok', via: 'message', groupId, chatId, 'reply.groupId': groupId, 'reply.chatId': chatId, 'reply.replyToMid': mid },
    origin: 'appeal',
    raw: w,
  });
}

/** OK's REST dates are Moscow time without a zone; date_ms is used when the method gives it. */
export function okCommentTime(c: OkComment, now: Date): Date {
  if (c.date_ms !== undefined) return new Date(c.date_ms);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(c.date ?? '');
  const t = m ? Date.parse(`${m[1]}T${m[2]}+03:00`) : NaN;
  return Number.isFinite(t) ? new Date(t) : now;
}

/** A comment under one of the group's posts; the group's own comments are ours, not citizens'. */
export function normalizeOkComment(groupId: string, topicId: string, c: OkComment, ctx: { salt: string; now?: () => Date }): Normalized {
  if (c.author_type === 'GROUP' || c.author_id === groupId) return { ok: false, reason: 'own_group' };
  const text = (c.text ?? '').trim();
  if (!text) return { ok: false, reason: 'empty' };
  const externalId = `topic${topicId}_c${c.id}`;
  return networkMessage('ok', externalId, { salt: ctx.salt, key: c.author_id ? `user:${c.author_id}` : `comment:${c.id}` }, {
    receivedAt: okCommentTime(c, ctx.now?.() ?? new Date()).toISOString(),
    text,
    link: `https://ok.ru/group/${groupId}/topic/${topicId}`,
    provenance: {
      channel: 'ok',
      via: 'comment',
      groupId,
      topicId,
      commentId: c.id,
      'reply.groupId': groupId,
      'reply.topicId': topicId,
      'reply.commentId': c.id,
    },
    origin: 'signal',
    raw: c,
  });
}
