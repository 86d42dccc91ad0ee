/**
 * The citizen's buttons in the bot: rating an answer (1–5 under the answer), asking for a repeat review after a low
 * rating, and sharing their own phone number so polls count them as that phone (one person, one vote). The ids in
 * the buttons are computable, so they prove nothing: the workflow's desk checks that the presser (Telegram's verified
 * from.id, hashed as the case's author was) and the chat are the case's own.
 */
import type { CallbackQuery, Message } from '@telegraf/types';
import { Markup, type Telegram } from 'telegraf';
import { authorHash } from '../../lib/hash.js';
import type { Logger } from '../../lib/logger.js';
import { CITIZEN_TEXTS, type RatingDesk } from '../citizen-actions.js';
import { withTelegramRetry } from './retry.js';

export { CITIZEN_TEXTS, type RatingDesk } from '../citizen-actions.js';

/** Inline keyboard 1–5 under an answer; callback data stays under Telegram's 64-byte limit. */
export function ratingKeyboard(messageId: string) {
  return Markup.inlineKeyboard([[1, 2, 3, 4, 5].map((n) => Markup.button.callback(`${n}`, `rate:${messageId}:${n}`))]);
}

export function repeatKeyboard(messageId: string) {
  return Markup.inlineKeyboard([[Markup.button.callback(CITIZEN_TEXTS.repeatButton, `repeat:${messageId}`)]]);
}

/** A one-time reply keyboard whose button shares the user's own contact (Telegram confirms the number is theirs). */
export const phoneKeyboard = () => Markup.keyboard([[Markup.button.contactRequest(CITIZEN_TEXTS.phoneButton)]]).oneTime().resize();

export interface ButtonDeps {
  tg: Telegram;
  salt: string;
  log: Logger;
  ratings?: RatingDesk;
  send(chatId: number, text: string, extra?: Parameters<Telegram['sendMessage']>[2]): Promise<unknown>;
}

/** The presser as the desk checks them: the hash the case's author got, and the chat the button sits in. */
const presser = (deps: ButtonDeps, q: CallbackQuery, messageId: string) => ({
  messageId, source: 'telegram' as const, authorHash: authorHash(deps.salt, 'telegram', `user:${q.from.id}`), channelUserId: String(q.message!.chat.id),
});

export async function onRatingButton(deps: ButtonDeps, q: CallbackQuery, messageId: string, rating: number): Promise<void> {
  const refuse = (text: string) => withTelegramRetry(() => deps.tg.answerCbQuery(q.id, text, { show_alert: true }));
  if (!deps.ratings) {
    deps.log.warn('a rating arrived but no citizen desk is wired into this process');
    return void (await refuse(CITIZEN_TEXTS.ratingUnavailable));
  }
  if (!q.message) return void (await refuse(CITIZEN_TEXTS.ratingNotAwaited));
  const chat = q.message.chat.id;
  const outcome = await deps.ratings.rate({ ...presser(deps, q, messageId), rating });
  if (!outcome.accepted) {
    const text = outcome.reason === 'not-author' ? CITIZEN_TEXTS.ratingNotYours
      : outcome.reason === 'duplicate' ? CITIZEN_TEXTS.ratingAlreadyGiven : CITIZEN_TEXTS.ratingNotAwaited;
    return void (await refuse(text));
  }
  await withTelegramRetry(() => deps.tg.answerCbQuery(q.id, CITIZEN_TEXTS.thanksRating(rating)));
  await withTelegramRetry(() => deps.tg.editMessageReplyMarkup(chat, q.message!.message_id, undefined, undefined)).catch(() => {});
  if (outcome.repeatReviewOffered) {
    await deps.send(chat, `${CITIZEN_TEXTS.thanksRating(rating)}\n\n${CITIZEN_TEXTS.repeatOffer}`, repeatKeyboard(messageId));
  } else {
    await deps.send(chat, CITIZEN_TEXTS.thanksRating(rating));
  }
}

export async function onRepeatButton(deps: ButtonDeps, q: CallbackQuery, messageId: string): Promise<void> {
  const refuse = (text: string) => withTelegramRetry(() => deps.tg.answerCbQuery(q.id, text, { show_alert: true }));
  if (!deps.ratings || !q.message) return void (await refuse(CITIZEN_TEXTS.repeatNotAwaited));
  const chat = q.message.chat.id;
  const outcome = await deps.ratings.requestRepeatReview(presser(deps, q, messageId));
  if (!outcome.accepted) {
    const text = { 'not-author': CITIZEN_TEXTS.repeatNotYours, duplicate: CITIZEN_TEXTS.repeatAlready, 'rating-not-low': CITIZEN_TEXTS.repeatNotLow,
      'not-awaiting': CITIZEN_TEXTS.repeatNotAwaited }[outcome.reason];
    return void (await refuse(text));
  }
  await withTelegramRetry(() => deps.tg.answerCbQuery(q.id, CITIZEN_TEXTS.repeatAccepted));
  await withTelegramRetry(() => deps.tg.editMessageReplyMarkup(chat, q.message!.message_id, undefined, undefined)).catch(() => {});
  await deps.send(chat, CITIZEN_TEXTS.repeatAccepted);
}

/** What polls need to count a Telegram voter as their phone (main.ts hands the ballot box). */
export interface PhoneLinker {
  linkTelegramPhone(input: { fromId: number; isBot: boolean; contact: { userId?: number; phoneNumber: string } }): Promise<{ ok: boolean; message: string }>;
}

/** A contact shared in the private chat: only the user's own (Telegram sets its user_id) links their phone. */
export async function onSharedContact(deps: ButtonDeps & { polls?: Partial<PhoneLinker> }, m: Message.ContactMessage): Promise<void> {
  const from = m.from;
  if (!deps.polls?.linkTelegramPhone || !from) return;
  const r = await deps.polls.linkTelegramPhone({ fromId: from.id, isBot: from.is_bot,
    contact: { userId: m.contact.user_id, phoneNumber: m.contact.phone_number } });
  await deps.send(m.chat.id, r.message, Markup.removeKeyboard());
}
