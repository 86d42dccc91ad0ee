/**
 * VK objects (Callback API / Bots Long Poll events, newsfeed.search items) → IncomingMessage. Field names follow
 * dev.vk.com: a wall post has `id, owner_id, from_id, date, text, attachments, geo`; a comment adds `post_id`;
 * `message_new` wraps `{message, client_info}`; a board post carries `topic_id, topic_owner_id`.
 */
import { z } from 'zod';
import type { Attachment, IncomingMessage, MessageOrigin } from '../../lib/queues.js';
import { networkMessage, type Normalized } from '../normalized.js';
import { unixSeconds } from '../../lib/request-schemas.js';

const photoSize = z.object({ url: z.string().optional(), src: z.string().optional(), width: z.number().optional(), height: z.number().optional(),
  type: z.string().optional() }).loose();
const media = z.object({ id: z.number().optional(), owner_id: z.number().optional(), access_key: z.string().optional(), sizes: z.array(photoSize).optional(),
  url: z.string().optional(), title: z.string().optional(), ext: z.string().optional(), size: z.number().optional() }).loose();
const attachment = z.object({ type: z.string() }).catchall(z.unknown());
const geo = z.object({ coordinates: z.union([z.string(), z.object({ latitude: z.number(), longitude: z.number() })]).optional(),
  place: z.object({ title: z.string().optional(), address: z.string().optional() }).loose().optional() }).loose();

const base = {
  id: z.number().int(),
  from_id: z.number().int(),
  date: unixSeconds.optional(),
  text: z.string().default(''),
  attachments: z.array(attachment).default([]),
  geo: geo.optional(),
};
export const vkWallPostSchema = z.object({ ...base, owner_id: z.number().int(), post_type: z.string().optional(), signer_id: z.number().optional() }).loose();
export const vkCommentSchema = z.object({ ...base, owner_id: z.number().int(), post_id: z.number().int(), reply_to_comment: z.number().optional() }).loose();
export const vkMessageSchema = z.object({ ...base, peer_id: z.number().int(), conversation_message_id: z.number().int() }).loose();
export const vkBoardPostSchema = z.object({ ...base, topic_id: z.number().int(), topic_owner_id: z.number().int() }).loose();

export type VkWallPost = z.infer<typeof vkWallPostSchema>;

export const VK_EVENT_TYPES = ['wall_post_new', 'wall_reply_new', 'message_new', 'board_post_new'] as const;
export type VkEventType = (typeof VK_EVENT_TYPES)[number];

export interface VkContext {
  salt: string;
  /** The region's own communities: their own posts and replies are ours, not citizens'. */
  ownGroupIds: number[];
  /** How it arrived (callback, longpoll, newsfeed) and anything else worth keeping. */
  provenance: Record<string, string>;
  now?: () => Date;
}

function largest(sizes: z.infer<typeof photoSize>[] | undefined): z.infer<typeof photoSize> | undefined {
  return [...(sizes ?? [])].sort((a, b) => (b.width ?? 0) * (b.height ?? 0) - (a.width ?? 0) * (a.height ?? 0))[0];
}

/** Attachments stay references (`photo-1_2_accesskey` is how VK itself names media), never downloaded. */
export function vkAttachments(list: z.infer<typeof attachment>[]): Attachment[] {
  const out: Attachment[] = [];
  for (const a of list.slice(0, 50)) {
    const m = media.safeParse(a[a.type]);
    const obj = m.success ? m.data : {};
    const ref = obj.owner_id !== undefined && obj.id !== undefined
      ? `${a.type}${obj.owner_id}_${obj.id}${obj.access_key ? `_${obj.access_key}` : ''}`
      : undefined;
    switch (a.type) {
      case 'photo': {
        const big = largest(obj.sizes);
        if (ref) out.push({ kind: 'photo', ref, meta: { url: big?.url ?? big?.src, width: big?.width, height: big?.height } });
        break;
      }
      case 'video':
        if (ref) out.push({ kind: 'video', ref, meta: { title: obj.title } });
        break;
      case 'doc':
        if (ref) out.push({ kind: 'document', ref, size: obj.size, meta: { title: obj.title, ext: obj.ext, url: obj.url } });
        break;
      case 'audio':
      case 'audio_message':
        if (ref) out.push({ kind: 'audio', ref });
        break;
      case 'link':
        if (obj.url) out.push({ kind: 'link', ref: obj.url, meta: { title: obj.title } });
        break;
      default:
        if (ref) out.push({ kind: 'other', ref, meta: { type: a.type } });
    }
  }
  return out;
}

function placeOf(g: z.infer<typeof geo> | undefined): IncomingMessage['place'] {
  if (!g) return {};
  let lat: number | undefined;
  let lon: number | undefined;
  if (typeof g.coordinates === 'string') {
    const [a, b] = g.coordinates.trim().split(/\s+/).map(Number);
    if (Number.isFinite(a) && Number.isFinite(b)) [lat, lon] = [a, b];
  } else if (g.coordinates) {
    [lat, lon] = [g.coordinates.latitude, g.coordinates.longitude];
  }
  const address = g.place?.address ?? g.place?.title;
  return { lat, lon, address };
}

function build(ctx: VkContext, p: {
  externalId: string;
  fromId: number;
  date?: number;
  text: string;
  attachments: z.infer<typeof attachment>[];
  geo?: z.infer<typeof geo>;
  link: string;
  raw: unknown;
  provenance: Record<string, string>;
  origin: MessageOrigin;
}): Normalized {
  const attachments = vkAttachments(p.attachments);
  const text = p.text.trim();
  if (!text && attachments.length === 0) return { ok: false, reason: 'empty' };
  const receivedAt = p.date ? new Date(p.date * 1000) : (ctx.now?.() ?? new Date());
  return networkMessage('vk', p.externalId, { salt: ctx.salt, key: String(p.fromId) }, {
    receivedAt: receivedAt.toISOString(),
    text,
    contact: { channelUserId: String(p.fromId) },
    place: placeOf(p.geo),
    link: p.link,
    attachments,
    provenance: { channel: 'vk', ...ctx.provenance, ...p.provenance },
    origin: p.origin,
    raw: p.raw,
  });
}

const isOwn = (ctx: VkContext, fromId: number) => fromId < 0 && ctx.ownGroupIds.includes(-fromId);
/**
 * Whose thread a post or comment is in: `own` on the walls (and boards) of the region's communities, where the
 * official community may answer; `foreign` anywhere else (a search hit on a stranger's wall), never posted to.
 */
const threadOf = (ctx: VkContext, ownerId: number): string => (ownerId < 0 && ctx.ownGroupIds.includes(-ownerId) ? 'own' : 'foreign');

export function normalizeVkWallPost(obj: unknown, ctx: VkContext): Normalized {
  const r = vkWallPostSchema.safeParse(obj);
  if (!r.success) return { ok: false, reason: 'malformed' };
  const p = r.data;
  // The region's communities posting on their own walls are announcements, not complaints.
  if (isOwn(ctx, p.from_id)) return { ok: false, reason: 'own_post' };
  const author = p.from_id < 0 && p.signer_id ? p.signer_id : p.from_id;
  const externalId = `wall${p.owner_id}_${p.id}`;
  return build(ctx, { externalId, fromId: author, date: p.date, text: p.text, attachments: p.attachments, geo: p.geo, link: `https://vk.com/${externalId}`,
    raw: obj, provenance: { ownerId: String(p.owner_id), thread: threadOf(ctx, p.owner_id) }, origin: 'signal' });
}

export function normalizeVkComment(obj: unknown, ctx: VkContext): Normalized {
  const r = vkCommentSchema.safeParse(obj);
  if (!r.success) return { ok: false, reason: 'malformed' };
  const c = r.data;
  // Our own replies come back as wall_reply_new too; taking them in would loop.
  if (isOwn(ctx, c.from_id)) return { ok: false, reason: 'own_reply' };
  const externalId = `wall${c.owner_id}_${c.post_id}_c${c.id}`;
  return build(ctx, { externalId, fromId: c.from_id, date: c.date, text: c.text, attachments: c.attachments, geo: c.geo,
    link: `https://vk.com/wall${c.owner_id}_${c.post_id}?reply=${c.id}`, raw: obj,
    provenance: { ownerId: String(c.owner_id), thread: threadOf(ctx, c.owner_id) }, origin: 'signal' });
}

export function normalizeVkMessage(obj: unknown, groupId: number | undefined, ctx: VkContext): Normalized {
  const wrapped = z.object({ message: z.unknown() }).loose().safeParse(obj);
  const r = vkMessageSchema.safeParse(wrapped.success ? wrapped.data.message : obj);
  if (!r.success) return { ok: false, reason: 'malformed' };
  const m = r.data;
  if (m.from_id < 0) return { ok: false, reason: 'own_reply' };
  const externalId = `msg${m.peer_id}_${m.conversation_message_id}`;
  const link = groupId ? `https://vk.com/gim${groupId}?sel=${m.peer_id}` : `https://vk.com/im?sel=${m.peer_id}`;
  return build(ctx, { externalId, fromId: m.from_id, date: m.date, text: m.text, attachments: m.attachments, geo: m.geo, link, raw: obj,
    provenance: { peerId: String(m.peer_id) }, origin: 'appeal' });
}

export function normalizeVkBoardPost(obj: unknown, ctx: VkContext): Normalized {
  const r = vkBoardPostSchema.safeParse(obj);
  if (!r.success) return { ok: false, reason: 'malformed' };
  const b = r.data;
  if (isOwn(ctx, b.from_id)) return { ok: false, reason: 'own_reply' };
  const groupId = Math.abs(b.topic_owner_id);
  const externalId = `board${groupId}_${b.topic_id}_${b.id}`;
  return build(ctx, { externalId, fromId: b.from_id, date: b.date, text: b.text, attachments: b.attachments,
    link: `https://vk.com/topic-${groupId}_${b.topic_id}?post=${b.id}`, raw: obj, provenance: { topicId: String(b.topic_id), thread: threadOf(ctx, -groupId) },
    origin: 'signal' });
}

/** One Callback API / Bots Long Poll event; other event types are dropped with a reason. */
export function normalizeVkEvent(event: { type: string; object: unknown; group_id?: number }, ctx: VkContext): Normalized {
  const c: VkContext = event.group_id ? { ...ctx, provenance: { ...ctx.provenance, groupId: String(event.group_id) } } : ctx;
  switch (event.type) {
    case 'wall_post_new':
      return normalizeVkWallPost(event.object, c);
    case 'wall_reply_new':
      return normalizeVkComment(event.object, c);
    case 'message_new':
      return normalizeVkMessage(event.object, event.group_id, c);
    case 'board_post_new':
      return normalizeVkBoardPost(event.object, c);
    default:
      return { ok: false, reason: `unsupported_event` };
  }
}
