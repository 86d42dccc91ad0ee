/**
 * MAX Bot API objects → IncomingMessage. Field names follow dev.max.ru (objects Update, Message) and the official
 * SDK's types (@maxhub/max-bot-api, core/network/api/types): an Update has `update_type` and `timestamp` (Unix
 * milliseconds); a Message has `sender{user_id, first_name, last_name, name, username, is_bot}`, `recipient{chat_id,
 * chat_type: dialog | chat | channel, user_id, post_id}`, `timestamp`, `body{mid, seq, text, attachments[]}` and, for
 * channel posts, `url`. A comment under a channel post comes as a `comment_created` Update whose Message names the
 * channel in `recipient.chat_id` and the post in `recipient.post_id`; comments are answered through the comments API,
 * `POST /messages/{post}/comments` with `link {type: reply, mid: <comment>}` (the SDK's CommentsApi). Attachments: `image{payload{photo_id, url, token}}`, `video|audio{payload{url, token}}`,
 * `file{payload, filename, size}`, `share{payload{url}}`, `location{latitude, longitude}`, stickers, contacts and
 * keyboards (ignored here).
 */
import { z } from 'zod';
import type { Attachment, Place } from '../../lib/queues.js';
import { networkMessage, type Normalized } from '../normalized.js';
import type { CitizenMessage } from '../dialog/dialog.js';

/** Milliseconds since 1970, up to the end of year 9999 (beyond it a Date cannot be printed). */
const unixMillis = z.number().int().min(0).max(253_402_300_799_999);

const user = z.object({
  user_id: z.number().int(),
  name: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  username: z.string().nullish(),
  is_bot: z.boolean().optional(),
}).loose();
const attachment = z.object({ type: z.string() }).catchall(z.unknown());
const body = z.object({
  mid: z.string().min(1).max(200),
  seq: z.number().optional(),
  text: z.string().nullish(),
  attachments: z.array(attachment).max(100).nullish(),
}).loose();
/** The SDK types `post_id` as a number here and as a string in removal updates: either is taken, kept as text. */
const postId = z.union([z.number().int().nonnegative(), z.string().regex(/^(?:mid\.)?[\w-]{1,200}$/)]);
const recipient = z.object({ chat_id: z.number().int().nullish(), chat_type: z.string().optional(), user_id: z.number().int().nullish(),
  post_id: postId.nullish() }).loose();

export const maxMessageSchema = z.object({ sender: user.nullish(), recipient, timestamp: unixMillis.optional(), body, url: z.string().nullish() }).loose();
export type MaxMessage = z.infer<typeof maxMessageSchema>;

/** The fields of an Update the bot reads; any other field (and update type) MAX adds later passes through. */
export const maxUpdateSchema = z.object({
  update_type: z.string().min(1).max(100),
  timestamp: unixMillis.optional(),
  message: maxMessageSchema.nullish(),
  callback: z.object({ callback_id: z.string().min(1).max(500), payload: z.string().nullish(), user, timestamp: unixMillis.optional() }).loose().optional(),
  chat_id: z.number().int().optional(),
  user: user.optional(),
  payload: z.string().nullish(),
}).loose();
export type MaxUpdate = z.infer<typeof maxUpdateSchema>;

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 2000) : undefined);
const coordinate = (v: unknown, limit: number) => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit ? v : undefined);

/** Media stay on MAX's side: the URL is the reference; tokens (which re-send the file) are not kept. */
export function maxAttachments(list: z.infer<typeof attachment>[] | null | undefined): Attachment[] {
  const out: Attachment[] = [];
  for (const a of (list ?? []).slice(0, 50)) {
    const p = (a.payload ?? {}) as Record<string, unknown>;
    const url = str(p.url);
    switch (a.type) {
      case 'image': {
        const ref = url ?? (typeof p.photo_id === 'number' ? `max:image:${p.photo_id}` : undefined);
        if (ref) out.push({ kind: 'photo', ref, meta: typeof p.photo_id === 'number' ? { photoId: p.photo_id } : undefined });
        break;
      }
      case 'video':
      case 'audio':
        if (url) out.push({ kind: a.type, ref: url });
        break;
      case 'file':
        if (url) {
          out.push({ kind: 'document', ref: url, size: typeof a.size === 'number' && a.size >= 0 ? Math.floor(a.size) : undefined,
            meta: { fileName: str(a.filename) } });
        }
        break;
      case 'share':
        if (url) out.push({ kind: 'link', ref: url });
        break;
      case 'location': {
        const lat = coordinate(a.latitude, 90);
        const lon = coordinate(a.longitude, 180);
        if (lat !== undefined && lon !== undefined) out.push({ kind: 'location', ref: `geo:${lat},${lon}` });
        break;
      }
    }
  }
  return out;
}

/** A location attachment as the message's place. */
export function maxPlace(list: z.infer<typeof attachment>[] | null | undefined): Place {
  const loc = (list ?? []).find((a) => a.type === 'location');
  const lat = coordinate(loc?.latitude, 90);
  const lon = coordinate(loc?.longitude, 180);
  return lat !== undefined && lon !== undefined ? { lat, lon } : {};
}

export const maxName = (u: z.infer<typeof user> | null | undefined) => ([u?.first_name, u?.last_name].filter(Boolean).join(' ') || u?.name || '').slice(0, 300);

/** Where a reply to this message goes: its chat, quoting it (MAX `link: {type: reply, mid}`). */
export const maxReplyTo = (chatId: string, mid: string) => ({ 'reply.chatId': chatId, 'reply.replyToMid': mid });

/** Where a reply to a comment goes: under the same post, answering the comment (the comments API). */
export const maxCommentReplyTo = (postId: string, commentMid: string) => ({ 'reply.postId': postId, 'reply.commentId': commentMid });

/**
 * A message in a group chat or channel where the region's bot is a member, or a comment under a channel post:
 * found by monitoring, so a signal.
 */
export function normalizeMaxPost(m: MaxMessage, ctx: { salt: string; via: 'chat' | 'channel' | 'comment' }): Normalized {
  if (m.sender?.is_bot) return { ok: false, reason: 'bot' };
  const text = (m.body.text ?? '').trim();
  if (text.startsWith('/')) return { ok: false, reason: 'command' };
  const attachments = maxAttachments(m.body.attachments);
  if (!text && attachments.length === 0) return { ok: false, reason: 'empty' };
  const chatId = m.recipient.chat_id;
  if (chatId === null || chatId === undefined) return { ok: false, reason: 'no_chat' };
  const post = m.recipient.post_id;
  // A comment that names no post could be answered nowhere but in the channel itself, to every subscriber.
  if (ctx.via === 'comment' && (post === null || post === undefined)) return { ok: false, reason: 'no_post' };
  const replyTo = ctx.via === 'comment' ? { postId: String(post), ...maxCommentReplyTo(String(post), m.body.mid) } : maxReplyTo(String(chatId), m.body.mid);
  const externalId = `${chatId}:${m.body.mid}`;
  return networkMessage('max', externalId, { salt: ctx.salt, key: m.sender ? `user:${m.sender.user_id}` : `chat:${chatId}` }, {
    receivedAt: new Date(m.timestamp ?? Date.now()).toISOString(),
    text,
    contact: { channelUserId: String(chatId) },
    place: maxPlace(m.body.attachments),
    link: str(m.url),
    attachments,
    provenance: { channel: 'max', via: ctx.via, chatId: String(chatId), ...replyTo },
    origin: 'signal',
    raw: m,
  });
}

/** A message in the private chat with the bot, for the citizen dialog; undefined when it names no chat. */
export function citizenMessageOf(m: MaxMessage): CitizenMessage | undefined {
  const chatId = m.recipient.chat_id;
  if (chatId === null || chatId === undefined) return undefined;
  return {
    chatId: String(chatId),
    from: m.sender ? { id: m.sender.user_id, name: maxName(m.sender) } : undefined,
    text: (m.body.text ?? '').trim(),
    messageRef: m.body.mid,
    attachments: maxAttachments(m.body.attachments).filter((a) => a.kind !== 'location'),
    place: maxPlace(m.body.attachments),
  };
}

/**
 * A message written to the bot outside a guided dialog, taken as it is (as a message to a VK community is): the
 * appeal of the person who wrote it, answered in the same chat.
 */
export function normalizeMaxDirect(m: MaxMessage, ctx: { salt: string }): Normalized {
  const c = citizenMessageOf(m);
  if (!c) return { ok: false, reason: 'no_chat' };
  if (m.sender?.is_bot) return { ok: false, reason: 'bot' };
  if (!c.text && c.attachments.length === 0) return { ok: false, reason: 'empty' };
  const externalId = `${c.chatId}:${m.body.mid}`;
  return networkMessage('max', externalId, { salt: ctx.salt, key: m.sender ? `user:${m.sender.user_id}` : `chat:${c.chatId}` }, {
    receivedAt: new Date(m.timestamp ?? Date.now()).toISOString(),
    text: c.text,
    contact: { name: c.from?.name || undefined, channelUserId: c.chatId },
    place: c.place,
    attachments: c.attachments,
    provenance: { channel: 'max', via: 'bot', chatId: c.chatId, ...maxReplyTo(c.chatId, m.body.mid) },
    origin: 'appeal',
    raw: m,
  });
}
