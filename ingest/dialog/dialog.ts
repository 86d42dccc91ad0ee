/**
 * The citizen bot's dialog, the same on every network that has one (Telegram, MAX): describe the problem, add an
 * address, a location or photos, confirm, and the appeal is accepted; the registration number, the answer and its
 * 1–5 rating buttons follow from the workflow, and after a low rating the button asking for a repeat review. A network maps its updates to CitizenMessage / ButtonPress and
 * gives a DialogChannel to talk back; the texts, the states and the rules live here once.
 */
import { authorHash } from '../../lib/hash.js';
import { messageIdFor } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { incomingMessageSchema, type Attachment, type IncomingMessage, type Place, type Source } from '../../lib/queues.js';
import { CITIZEN_TEXTS, type RatingDesk } from '../citizen-actions.js';
import type { Intake } from '../intake.js';
import type { DialogStore, Draft } from './store.js';

export const TEXTS = {
  start:
    'Здравствуйте! Это бот обратной связи с органами власти региона.\n\nОпишите, пожалуйста, проблему одним сообщением: что случилось и где. Можно приложить фото.',
  askText: 'Фото добавлено. Теперь опишите проблему текстом.',
  askDetails: 'Укажите адрес или отправьте геопозицию. Можно добавить фото. Когда всё готово, нажмите «Готово».',
  added: 'Добавлено. Можно добавить ещё адрес, геопозицию или фото, либо нажмите «Готово».',
  tooShort: 'Опишите проблему подробнее (хотя бы несколько слов).',
  accepted: 'Спасибо! Обращение принято. Номер регистрации придёт следующим сообщением.',
  alreadySent: 'Это обращение уже отправлено.',
  cancelled: 'Обращение отменено. Чтобы начать заново, отправьте /start.',
  help: 'Чтобы сообщить о проблеме, отправьте /start и следуйте подсказкам. Ответ придёт в этот чат.',
  // Rating and repeat review: the same words as VK's buttons (ingest/citizen-actions.ts).
  ...CITIZEN_TEXTS,
  rateButtonsIntro: 'Оцените, пожалуйста, ответ:',
};

export type { RatingDesk } from '../citizen-actions.js';

/** Rows of buttons; `data` comes back in the press (Telegram allows 64 bytes, MAX more). */
export type Buttons = { text: string; data: string }[][];

/** Rating 1–5 under an answer; the message id makes the press name its case. */
export function ratingButtons(messageId: string): Buttons {
  return [[1, 2, 3, 4, 5].map((n) => ({ text: `${n}`, data: `rate:${messageId}:${n}` }))];
}

/** Offered with the thanks for a low rating: the case is reviewed again with a new deadline. */
export function repeatButtons(messageId: string): Buttons {
  return [[{ text: TEXTS.repeatButton, data: `repeat:${messageId}` }]];
}

const DETAILS: Buttons = [[{ text: 'Готово', data: 'done' }, { text: 'Отменить', data: 'cancel' }]];
const CONFIRM: Buttons = [[{ text: 'Подтвердить', data: 'confirm' }, { text: 'Отменить', data: 'cancel' }]];

/** A message in a private chat with the bot, as the network verified its sender. */
export interface CitizenMessage {
  chatId: string;
  from?: { id: number | string; name?: string };
  /** Text or caption, trimmed. */
  text: string;
  messageRef: number | string;
  /** Media only: a location arrives in `place`. */
  attachments: Attachment[];
  place: Place;
}

/** A press of one of the bot's buttons; `userId` is the presser as the network verified them. */
export interface ButtonPress {
  id: string;
  data: string;
  userId: number | string;
  /** The chat of the message the button is under, when the network says. */
  chatId?: string;
  /** The message the button is under. */
  messageRef?: number | string;
}

/** How the dialog talks back on a network. */
export interface DialogChannel {
  source: Source;
  send(chatId: string, text: string, buttons?: Buttons): Promise<void>;
  /** The network's own `/help`, when it has more commands than the dialog (Telegram's /phone). */
  help?: string;
  /** Ends the press's spinner, with a short notice; `alert` makes it one the citizen has to close. */
  answer(press: ButtonPress, text?: string, alert?: boolean): Promise<void>;
  /** Takes the buttons off the pressed message (after a rating); best effort. */
  clearButtons(press: ButtonPress): Promise<void>;
  /** The appeal's provenance: where it came from and the `reply.*` address its answers go to. */
  provenance(chatId: string, messageRef: string): Record<string, string>;
}

export interface DialogDeps {
  channel: DialogChannel;
  store: DialogStore;
  intake: Intake;
  salt: string;
  logger: Logger;
  /** The workflow's citizen desk for the rating and repeat-review buttons; absent, they are refused politely. */
  ratings?: RatingDesk;
  now?: () => Date;
}

const summary = (d: Draft) =>
  [
    'Проверьте обращение:',
    '',
    d.text ?? '',
    d.address ? `\nАдрес: ${d.address}` : '',
    d.lat !== undefined ? `Геопозиция: ${d.lat.toFixed(5)}, ${d.lon?.toFixed(5)}` : '',
    d.attachments?.length ? `Вложений: ${d.attachments.length}` : '',
    '',
    'Всё верно?',
  ].filter((l, i, a) => l !== '' || (a[i - 1] ?? '') !== '').join('\n');

/** `/start` (or the network's own "Start"): a fresh draft for this person. */
export async function startDialog(deps: DialogDeps, chatId: string, from?: CitizenMessage['from']): Promise<void> {
  await deps.store.save(chatId, 'describe', { userId: from?.id, name: from?.name || undefined });
  await deps.channel.send(chatId, TEXTS.start);
}

/** A message in the private chat: the commands, then the next step of the draft. */
export async function onCitizenMessage(deps: DialogDeps, m: CitizenMessage): Promise<void> {
  const { chatId, text } = m;
  if (text === '/start' || text.startsWith('/start ')) return startDialog(deps, chatId, m.from);
  if (text === '/help') return deps.channel.send(chatId, deps.channel.help ?? TEXTS.help);
  const { state, draft } = await deps.store.load(chatId);
  if (state === 'idle' || state === 'describe') return describe(deps, m, draft);
  // details / confirm: more facts for the same draft.
  const next: Draft = { ...draft, attachments: [...(draft.attachments ?? []), ...m.attachments].slice(0, 20) };
  if (m.place.lat !== undefined) Object.assign(next, { lat: m.place.lat, lon: m.place.lon }, m.place.address ? { address: m.place.address } : {});
  else if (text && m.attachments.length === 0) next.address = text.slice(0, 1000);
  await deps.store.save(chatId, 'details', next);
  await deps.channel.send(chatId, TEXTS.added, DETAILS);
}

async function describe(deps: DialogDeps, m: CitizenMessage, draft: Draft): Promise<void> {
  const { chatId, text } = m;
  if (!text) {
    if (m.attachments.length === 0) return deps.channel.send(chatId, TEXTS.start);
    await deps.store.save(chatId, 'describe', { ...draft, attachments: [...(draft.attachments ?? []), ...m.attachments] });
    return deps.channel.send(chatId, TEXTS.askText);
  }
  if (text.length < 5) return deps.channel.send(chatId, TEXTS.tooShort);
  const next: Draft = {
    ...draft,
    userId: draft.userId ?? m.from?.id,
    name: draft.name ?? (m.from?.name || undefined),
    text: text.slice(0, 5000),
    textMessageId: m.messageRef,
    attachments: [...(draft.attachments ?? []), ...m.attachments],
  };
  await deps.store.save(chatId, 'details', next);
  await deps.channel.send(chatId, TEXTS.askDetails, DETAILS);
}

/** A button of the dialog, a rating or repeat-review button; other networks' buttons (Telegram's polls) are handled before. */
export async function onButton(deps: DialogDeps, press: ButtonPress): Promise<void> {
  const rate = /^rate:([0-9a-f-]{36}):([1-5])$/.exec(press.data);
  if (rate) return onRating(deps, press, rate[1]!, Number(rate[2]));
  const repeat = /^repeat:([0-9a-f-]{36})$/.exec(press.data);
  if (repeat) return onRepeat(deps, press, repeat[1]!);
  const chatId = press.chatId;
  if (chatId === undefined) return deps.channel.answer(press);
  const { state, draft } = await deps.store.load(chatId);
  if (press.data === 'cancel') {
    await deps.store.save(chatId, 'idle', {});
    await deps.channel.answer(press);
    return deps.channel.send(chatId, TEXTS.cancelled);
  }
  if (press.data === 'done' && (state === 'details' || state === 'confirm') && draft.text) {
    await deps.store.save(chatId, 'confirm', draft);
    await deps.channel.answer(press);
    return deps.channel.send(chatId, summary(draft), CONFIRM);
  }
  if (press.data === 'confirm' && state === 'confirm' && draft.text && draft.textMessageId !== undefined) {
    await deps.intake.accept(appealOf(deps, chatId, draft, press));
    await deps.store.save(chatId, 'idle', {});
    await deps.channel.answer(press);
    return deps.channel.send(chatId, TEXTS.accepted);
  }
  if (press.data === 'confirm') return deps.channel.answer(press, TEXTS.alreadySent);
  await deps.channel.answer(press);
}

/** The confirmed draft as an appeal; its id comes from the description message, so a double tap makes one. */
function appealOf(deps: DialogDeps, chatId: string, draft: Draft, press: ButtonPress): IncomingMessage {
  const source = deps.channel.source;
  const externalId = `${chatId}:${draft.textMessageId}`;
  return incomingMessageSchema.parse({
    messageId: messageIdFor(source, externalId),
    source,
    externalId,
    receivedAt: (deps.now?.() ?? new Date()).toISOString(),
    text: draft.text,
    authorHash: authorHash(deps.salt, source, `user:${draft.userId ?? press.userId}`),
    contact: { name: draft.name, channelUserId: chatId },
    place: { address: draft.address, lat: draft.lat, lon: draft.lon },
    attachments: draft.attachments ?? [],
    provenance: deps.channel.provenance(chatId, String(draft.textMessageId)),
    origin: 'appeal',
    raw: { draft, callbackQueryId: press.id },
  });
}

/**
 * The presser as the desk checks them. The message id in a button is computable, so it proves nothing: the desk
 * checks that the presser (the network's verified sender, hashed as the case's author was) and the chat are the
 * case's own, and counts one rating and one repeat-review request per round of the case.
 */
const presser = (deps: DialogDeps, press: ButtonPress & { chatId: string }, messageId: string) => ({
  messageId,
  source: deps.channel.source,
  authorHash: authorHash(deps.salt, deps.channel.source, `user:${press.userId}`),
  channelUserId: press.chatId,
});

async function onRating(deps: DialogDeps, press: ButtonPress, messageId: string, rating: number): Promise<void> {
  const { channel } = deps;
  const refuse = (text: string) => channel.answer(press, text, true);
  if (!deps.ratings) {
    deps.logger.child({ component: channel.source }).warn('a rating arrived but no citizen desk is wired into this process');
    return refuse(TEXTS.ratingUnavailable);
  }
  const chatId = press.chatId;
  if (chatId === undefined || press.messageRef === undefined) return refuse(TEXTS.ratingNotAwaited);
  const outcome = await deps.ratings.rate({ ...presser(deps, { ...press, chatId }, messageId), rating });
  if (!outcome.accepted) {
    const text = outcome.reason === 'not-author' ? TEXTS.ratingNotYours : outcome.reason === 'duplicate' ? TEXTS.ratingAlreadyGiven : TEXTS.ratingNotAwaited;
    return refuse(text);
  }
  await channel.answer(press, TEXTS.thanksRating(rating));
  await channel.clearButtons(press).catch(() => {});
  if (outcome.repeatReviewOffered) await channel.send(chatId, `${TEXTS.thanksRating(rating)}\n\n${TEXTS.repeatOffer}`, repeatButtons(messageId));
  else await channel.send(chatId, TEXTS.thanksRating(rating));
}

/** The repeat-review button under the thanks for a low rating. */
async function onRepeat(deps: DialogDeps, press: ButtonPress, messageId: string): Promise<void> {
  const { channel } = deps;
  const refuse = (text: string) => channel.answer(press, text, true);
  const chatId = press.chatId;
  if (!deps.ratings || chatId === undefined || press.messageRef === undefined) return refuse(TEXTS.repeatNotAwaited);
  const outcome = await deps.ratings.requestRepeatReview(presser(deps, { ...press, chatId }, messageId));
  if (!outcome.accepted) {
    const text =
      { 'not-author': TEXTS.repeatNotYours, duplicate: TEXTS.repeatAlready, 'rating-not-low': TEXTS.repeatNotLow,
        'not-awaiting': TEXTS.repeatNotAwaited }[outcome.reason];
    return refuse(text);
  }
  await channel.answer(press, TEXTS.repeatAccepted);
  await channel.clearButtons(press).catch(() => {});
  await channel.send(chatId, TEXTS.repeatAccepted);
}
