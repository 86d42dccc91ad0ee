/**
 * Rating and repeat review from a VK community dialog: the rating request carries an inline keyboard of callback
 * buttons (1–5); a press comes back as a `message_event` (Callback API or Bots Long Poll) with our payload, and is
 * answered with a snackbar (`messages.sendMessageEventAnswer`). Clients without callback buttons send the payload
 * in a `message_new`. The message id in the payload is computable, so the workflow's desk checks that the presser
 * (VK's user_id, hashed as the case's author was) is the case's author (ingest never imports workflow/).
 */
import type { API } from 'vk-io';
import { z } from 'zod';
import { authorHash } from '../../lib/hash.js';
import type { Logger } from '../../lib/logger.js';
import { CITIZEN_TEXTS, type RatingDesk } from '../citizen-actions.js';
import { vkRandomId } from './outbound.js';

const payloadSchema = z.union([
  z.object({ otklik: z.literal('rate'), m: z.uuid(), r: z.number().int().min(1).max(5) }),
  z.object({ otklik: z.literal('repeat'), m: z.uuid() }),
]);
export type CitizenPayload = z.infer<typeof payloadSchema>;

/** VK sends the payload as an object in a message_event and as a JSON string in a message_new. */
export function citizenPayloadOf(payload: unknown): CitizenPayload | undefined {
  let value = payload;
  if (typeof payload === 'string') {
    if (payload.length > 255) return undefined;
    try {
      value = JSON.parse(payload);
    } catch {
      return undefined;
    }
  }
  const r = payloadSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

const button = (label: string, payload: CitizenPayload, color?: 'primary' | 'secondary') => ({
  action: { type: 'callback', label, payload: JSON.stringify(payload) },
  ...(color ? { color } : {}),
});

/** The inline keyboard under a rating request: five callback buttons, one row. */
export function vkRatingKeyboard(messageId: string): string {
  return JSON.stringify({ inline: true, buttons: [[1, 2, 3, 4, 5].map((r) => button(String(r), { otklik: 'rate', m: messageId, r }))] });
}

export function vkRepeatKeyboard(messageId: string): string {
  return JSON.stringify({ inline: true, buttons: [[button(CITIZEN_TEXTS.repeatButton, { otklik: 'repeat', m: messageId }, 'primary')]] });
}

const eventSchema = z.object({ user_id: z.number().int(), peer_id: z.number().int(), event_id: z.string().min(1).max(200), payload: z.unknown() });
const messageSchema = z.object({
  message: z.object({ from_id: z.number().int(), peer_id: z.number().int(), payload: z.string().optional(), id: z.number().optional(),
    conversation_message_id: z.number().optional() }),
});

export interface VkButtonDeps {
  api?: API;
  salt: string;
  ratings?: RatingDesk;
  logger: Logger;
}

/** Who pressed, where, and what: from either event shape; undefined when the event is not one of our buttons. */
export interface CitizenPress {
  userId: number;
  peerId: number;
  /** A message_event's id, answered with a snackbar. */
  eventId?: string;
  /** The press's own id (event, or the message it came in), for the reply's random_id. */
  ref: string;
  payload: CitizenPayload;
}

export function citizenPress(event: { type: string; object: unknown }): CitizenPress | undefined {
  if (event.type === 'message_event') {
    const e = eventSchema.safeParse(event.object);
    const payload = e.success ? citizenPayloadOf(e.data.payload) : undefined;
    return e.success && payload ? { userId: e.data.user_id, peerId: e.data.peer_id, eventId: e.data.event_id, ref: e.data.event_id, payload } : undefined;
  }
  if (event.type !== 'message_new') return undefined;
  const m = messageSchema.safeParse(event.object);
  const payload = m.success ? citizenPayloadOf(m.data.message.payload) : undefined;
  return m.success && payload
    ? { userId: m.data.message.from_id, peerId: m.data.message.peer_id, ref: `cm${m.data.message.conversation_message_id ?? m.data.message.id ?? ''}`, payload }
    : undefined;
}

async function outcomeText(deps: VkButtonDeps, press: CitizenPress): Promise<{ text: string; offerRepeat: boolean }> {
  const actor = { messageId: press.payload.m, source: 'vk' as const, authorHash: authorHash(deps.salt, 'vk', String(press.userId)),
    channelUserId: String(press.userId) };
  if (!deps.ratings) return { text: CITIZEN_TEXTS.ratingUnavailable, offerRepeat: false };
  if (press.payload.otklik === 'rate') {
    const r = await deps.ratings.rate({ ...actor, rating: press.payload.r });
    if (r.accepted) return { text: CITIZEN_TEXTS.thanksRating(press.payload.r), offerRepeat: r.repeatReviewOffered };
    return {
      text: r.reason === 'not-author'
        ? CITIZEN_TEXTS.ratingNotYours
        : r.reason === 'duplicate'
        ? CITIZEN_TEXTS.ratingAlreadyGiven
        : CITIZEN_TEXTS.ratingNotAwaited,
      offerRepeat: false,
    };
  }
  const r = await deps.ratings.requestRepeatReview(actor);
  if (r.accepted) return { text: CITIZEN_TEXTS.repeatAccepted, offerRepeat: false };
  return {
    text:
      { 'not-author': CITIZEN_TEXTS.repeatNotYours, duplicate: CITIZEN_TEXTS.repeatAlready, 'rating-not-low': CITIZEN_TEXTS.repeatNotLow,
        'not-awaiting': CITIZEN_TEXTS.repeatNotAwaited }[r.reason],
    offerRepeat: false,
  };
}

/**
 * Handles a press of our buttons; false for any other event (it goes on to intake). A fault of the desk or VK throws,
 * so the webhook answers 503 and VK redelivers (the desk counts a round's rating once).
 */
export async function handleCitizenButton(deps: VkButtonDeps, event: { type: string; object: unknown }): Promise<boolean> {
  const press = citizenPress(event);
  if (!press) return false;
  const { text, offerRepeat } = await outcomeText(deps, press);
  if (!deps.api) {
    deps.logger.warn({ component: 'vk-buttons' }, 'a VK button press arrived but VK_GROUP_TOKEN is not set: it cannot be answered');
    return true;
  }
  if (press.eventId) {
    await deps.api.call('messages.sendMessageEventAnswer', { event_id: press.eventId, user_id: press.userId, peer_id: press.peerId,
      event_data: JSON.stringify({ type: 'show_snackbar', text: text.slice(0, 90) }) });
  }
  const follow = offerRepeat ? `${text}\n\n${CITIZEN_TEXTS.repeatOffer}` : text;
  await deps.api.call('messages.send', { peer_id: press.peerId, message: follow, random_id: vkRandomId(`button:${press.ref}:${press.payload.m}`),
    ...(offerRepeat ? { keyboard: vkRepeatKeyboard(press.payload.m) } : {}) });
  return true;
}
