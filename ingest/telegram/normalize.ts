/**
 * Telegram Bot API objects → IncomingMessage. Field names follow core.telegram.org/bots/api: Message has
 * `message_id, date, chat{id,type,username,title}, from{id,is_bot,first_name,last_name,username}, sender_chat,
 * text | caption, photo[] (PhotoSize: file_id, file_unique_id, width, height, file_size), document, video,
 * voice, location{latitude, longitude}`.
 */
import type { Message } from '@telegraf/types';
import type { Attachment, Place } from '../../lib/queues.js';
import { networkMessage, type Normalized } from '../normalized.js';

type AnyMessage = Message & Record<string, unknown>;

/** A Bot API file object (PhotoSize, Document, Video, Voice, Audio): the fields we keep. */
interface TgFile {
  file_id: string;
  file_unique_id?: string;
  file_size?: number;
  mime_type?: string;
  file_name?: string;
  duration?: number;
  width?: number;
  height?: number;
}
interface TgLocation {
  latitude: number;
  longitude: number;
}
/** The optional parts of a Message that carry media and places (telegraf types them as a union of message kinds). */
export interface TgMessageParts {
  text?: string;
  caption?: string;
  from?: { id: number; first_name?: string; last_name?: string };
  photo?: TgFile[];
  document?: TgFile;
  video?: TgFile;
  voice?: TgFile;
  audio?: TgFile;
  location?: TgLocation;
  venue?: { location: TgLocation; address?: string };
}

/** Files stay on Telegram's side: the file_id is the reference, downloaded later only if someone needs it. */
export function telegramAttachments(m: Message): Attachment[] {
  const out: Attachment[] = [];
  const x = m as unknown as TgMessageParts;
  if (Array.isArray(x.photo) && x.photo.length > 0) {
    const big = [...x.photo].sort((a, b) => (b.width ?? 0) * (b.height ?? 0) - (a.width ?? 0) * (a.height ?? 0))[0]!;
    out.push({ kind: 'photo', ref: big.file_id, size: big.file_size, meta: { fileUniqueId: big.file_unique_id, width: big.width, height: big.height } });
  }
  if (x.document) {
    out.push({ kind: 'document', ref: x.document.file_id, mime: x.document.mime_type, size: x.document.file_size,
      meta: { fileUniqueId: x.document.file_unique_id, fileName: x.document.file_name } });
  }
  if (x.video) {
    out.push({ kind: 'video', ref: x.video.file_id, mime: x.video.mime_type, size: x.video.file_size,
      meta: { fileUniqueId: x.video.file_unique_id, duration: x.video.duration } });
  }
  for (const file of [x.voice, x.audio]) {
    if (file) {
      out.push({ kind: 'audio', ref: file.file_id, mime: file.mime_type, size: file.file_size,
        meta: { fileUniqueId: file.file_unique_id, duration: file.duration } });
    }
  }
  if (x.location) out.push({ kind: 'location', ref: `geo:${x.location.latitude},${x.location.longitude}` });
  return out;
}

export function telegramPlace(m: Message): Place {
  const x = m as unknown as TgMessageParts;
  const loc = x.venue?.location ?? x.location;
  if (!loc) return {};
  return { lat: loc.latitude, lon: loc.longitude, address: x.venue?.address };
}

/** Public chats link as t.me/<username>/<id>; private supergroups and channels as t.me/c/<id>/<id> (members only). */
export function telegramLink(chat: { id: number; username?: string; type: string }, messageId: number): string | undefined {
  if (chat.username) return `https://t.me/${chat.username}/${messageId}`;
  const s = String(chat.id);
  if (s.startsWith('-100')) return `https://t.me/c/${s.slice(4)}/${messageId}`;
  return undefined;
}

const textOf = (m: AnyMessage) => ((m as { text?: string }).text ?? (m as { caption?: string }).caption ?? '').trim();

/** A message seen in a group or a channel post where the region's bot is a member. */
export function normalizeTelegramPost(m: Message, ctx: { salt: string; now?: () => Date }): Normalized {
  const msg = m as AnyMessage;
  const chat = msg.chat as { id: number; type: string; username?: string; title?: string };
  const from = (msg as { from?: { id: number; is_bot?: boolean } }).from;
  const senderChat = (msg as { sender_chat?: { id: number } }).sender_chat;
  if (from?.is_bot) return { ok: false, reason: 'bot' };
  const text = textOf(msg);
  if (text.startsWith('/')) return { ok: false, reason: 'command' };
  const attachments = telegramAttachments(msg);
  if (!text && attachments.length === 0) return { ok: false, reason: 'empty' };
  const externalId = `${chat.id}:${msg.message_id}`;
  const authorKey = from ? `user:${from.id}` : `chat:${senderChat?.id ?? chat.id}`;
  return networkMessage('telegram', externalId, { salt: ctx.salt, key: authorKey }, {
    receivedAt: new Date(msg.date * 1000).toISOString(),
    text,
    contact: { channelUserId: String(chat.id) },
    place: telegramPlace(msg),
    link: telegramLink(chat, msg.message_id),
    attachments,
    provenance: { channel: 'telegram', via: chat.type === 'channel' ? 'channel' : 'group', chatId: String(chat.id),
      ...(chat.title ? { chatTitle: chat.title.slice(0, 200) } : {}) },
    // Found in a group or channel: a signal for the monitoring team, never answered automatically.
    origin: 'signal',
    raw: msg,
  });
}
