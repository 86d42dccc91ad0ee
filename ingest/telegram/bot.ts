import type { CallbackQuery, Message, Update } from '@telegraf/types';
import { Markup, Telegraf, type Telegram } from 'telegraf';
import { rateLimitOf } from '../backoff.js';
import type { NetworkContext } from '../network.js';
import { onButton, onCitizenMessage, ratingButtons, TEXTS as DIALOG_TEXTS, type Buttons, type ButtonPress, type DialogChannel,
  type DialogDeps } from '../dialog/dialog.js';
import { createDialogStore } from '../dialog/store.js';
import { withoutNul } from '../intake.js';
import { pollUntilAborted } from '../poll-loop.js';
import { normalizeTelegramPost, telegramAttachments, telegramPlace, type TgMessageParts } from './normalize.js';
import { onSharedContact, phoneKeyboard, type PhoneLinker } from './phone.js';
import { withTelegramRetry } from './retry.js';
import { staffLinkCommand } from './staff-link.js';

// The dialog is shared with the other citizen bots (ingest/dialog/); the desk and the retry stay importable from here.
export type { RatingDesk } from '../dialog/dialog.js';
export { withTelegramRetry } from './retry.js';

/** The shared dialog's texts; Telegram's /help also names /phone. */
export const TEXTS = {
  ...DIALOG_TEXTS,
  help: `${DIALOG_TEXTS.help} Чтобы голоса на сайте и в Telegram считались одним, отправьте /phone и поделитесь номером.`,
};

/** The dialog's buttons as a Telegram inline keyboard. */
export function keyboardOf(buttons: Buttons) {
  return Markup.inlineKeyboard(buttons.map((row) => row.map((b) => Markup.button.callback(b.text, b.data))));
}

/** Inline keyboard 1–5 under an answer; callback data stays under Telegram's 64-byte limit. */
export function ratingKeyboard(messageId: string) {
  return keyboardOf(ratingButtons(messageId));
}

/** A poll as the bot shows it (the public view of the polls domain). */
export interface BotPoll {
  id: string;
  title: string;
  status: string;
  municipalities: string[];
  questions: { id: string; kind: string; text: string; required: boolean; options: { id: string; text: string }[] }[];
}

/** What the bot needs of the polls domain; main.ts hands it the ballot box (ingest never imports workflow/). */
export interface PollBallotBox {
  openPolls(municipality?: string): Promise<{ id: string; title: string }[]>;
  poll(id: string): Promise<BotPoll | null>;
  voteFromTelegram(input: {
    pollId: string;
    questionId: string;
    optionId: string;
    municipality?: string;
    proof: { fromId: number; isBot: boolean };
  }): Promise<{ accepted: boolean; message: string }>;
  subscribe(chatId: string, municipality: string): Promise<void>;
  municipalityOf(chatId: string): Promise<string | undefined>;
  /** A voter who shares their own phone counts as that phone (workflow/polls/identity.ts). */
  linkTelegramPhone?: PhoneLinker['linkTelegramPhone'];
}

export const POLL_TEXTS = {
  none: 'Сейчас открытых голосований нет. Мы сообщим, когда появятся новые.',
  subscribed: (m: string) => `Хорошо! Будем присылать голосования для жителей: ${m}.`,
  askMunicipality:
    'Это голосование для жителей отдельных муниципалитетов. Отправьте /polls и название вашего муниципалитета, например: /polls город Красноярск',
  notFound: 'Голосование не найдено.',
  siteOnly: 'В этом голосовании несколько вопросов: ответить на них можно на сайте.',
};

/**
 * The poll message with one button per option of its choice question. Callback data must fit Telegram's 64 bytes,
 * so it carries the poll id and the question/option positions (`poll:<pollId>:<q>:<o>`), not three UUIDs.
 */
export function pollMessage(poll: BotPoll, intro?: string): { text: string; extra: ReturnType<typeof Markup.inlineKeyboard> | Record<string, never> } {
  const qi = poll.questions.findIndex((q) => q.kind === 'single');
  const q = poll.questions[qi];
  // The bot asks one question; a poll with other required questions can only be answered in full on the site.
  const votable = q && !poll.questions.some((x, i) => i !== qi && x.required);
  const text = [intro, poll.title, q ? q.text : '', votable ? '' : POLL_TEXTS.siteOnly].filter(Boolean).join('\n\n');
  if (!votable) return { text, extra: {} };
  return {
    text,
    extra: Markup.inlineKeyboard(q.options.slice(0, 50).map((o, oi) => [Markup.button.callback(o.text.slice(0, 64), `poll:${poll.id}:${qi}:${oi}`)])),
  };
}

/** The bot is built from the network's shared plumbing (ingest/network.ts) with its token and API root. */
export interface TelegramBotDeps
  extends Pick<NetworkContext, 'db' | 'redis' | 'prefix' | 'intake' | 'cursors' | 'salt' | 'logger' | 'polls' | 'ratings' | 'staffLinks'>
{
  token: string;
  apiRoot: string;
}

export interface TelegramBot {
  bot: Telegraf;
  telegram: Telegram;
  /** Handles one update exactly once (redeliveries of a handled update_id are skipped). */
  handleUpdate(update: Update): Promise<void>;
  /** Long polling with a saved offset; resolves when `signal` aborts. */
  runPolling(signal: AbortSignal, opts?: { timeoutSeconds?: number }): Promise<void>;
}

/** Telegram chat ids are numbers; the dialog keeps them as strings. */
const chatIdOf = (chatId: string) => (/^-?\d+$/.test(chatId) ? Number(chatId) : chatId);

type Send = (chatId: number | string, text: string, extra?: Parameters<Telegram['sendMessage']>[2]) => Promise<unknown>;

/** How the shared dialog talks back on Telegram: messages, callback answers, the appeal's reply address. */
function telegramDialogChannel(tg: Telegram, send: Send): DialogChannel {
  return {
    source: 'telegram',
    send: async (chatId, text, buttons) => void (await send(chatIdOf(chatId), text, buttons ? keyboardOf(buttons) : undefined)),
    answer: async (press, text, alert) => void (await withTelegramRetry(() => tg.answerCbQuery(press.id, text, alert ? { show_alert: true } : undefined))),
    clearButtons: async (press) =>
      void (await withTelegramRetry(() => tg.editMessageReplyMarkup(chatIdOf(press.chatId!), Number(press.messageRef), undefined, undefined))),
    provenance: (chatId, messageRef) => ({ channel: 'telegram', via: 'bot', chatId, replyToMessageId: messageRef }),
    help: TEXTS.help,
  };
}

interface BotParts {
  deps: TelegramBotDeps;
  tg: Telegram;
  send: Send;
  dialog: DialogDeps;
}

/** A private chat: staff `/link`, `/polls`, `/phone` and a shared contact here, everything else is the shared dialog. */
async function onPrivateMessage(b: BotParts, m: Message): Promise<void> {
  const x = m as unknown as TgMessageParts;
  const text = (x.text ?? x.caption ?? '').trim();
  // A staff member's `/link <code>` (or the deep link `/start link-<code>`) comes before the citizen dialog's /start.
  const staffLinks = b.deps.staffLinks;
  if (staffLinks && (await staffLinkCommand(text, m.chat.id, staffLinks, (t) => b.send(m.chat.id, t)))) return;
  if (text === '/phone') return void (await b.send(m.chat.id, TEXTS.phoneAsk, phoneKeyboard()));
  if ('contact' in m) return onSharedContact({ polls: b.deps.polls, send: b.send }, m);
  const pollsCommand = /^\/polls(?:@\w+)?(?:\s+([\s\S]+))?$/.exec(text);
  if (pollsCommand && b.deps.polls) return showPolls(b, m.chat.id, pollsCommand[1]?.trim().slice(0, 300));
  const from = x.from;
  await onCitizenMessage(b.dialog, {
    chatId: String(m.chat.id),
    text,
    messageRef: m.message_id,
    from: from ? { id: from.id, name: [from.first_name, from.last_name].filter(Boolean).join(' ') } : undefined,
    attachments: telegramAttachments(m).filter((a) => a.kind !== 'location'),
    place: telegramPlace(m),
  });
}

/** `/polls [municipality]`: remembers the municipality when given, then offers its open polls. */
async function showPolls(b: BotParts, chatId: number, named: string | undefined) {
  const polls = b.deps.polls!;
  if (named) {
    await polls.subscribe(String(chatId), named);
    await b.send(chatId, POLL_TEXTS.subscribed(named));
  }
  const municipality = named ?? (await polls.municipalityOf(String(chatId)));
  const open = (await polls.openPolls(municipality)).slice(0, 5);
  if (open.length === 0) return void (await b.send(chatId, POLL_TEXTS.none));
  for (const p of open) {
    const poll = await polls.poll(p.id);
    if (!poll) continue;
    const m = pollMessage(poll);
    await b.send(chatId, m.text, m.extra);
  }
}

async function onPollButton(b: BotParts, q: CallbackQuery, pollId: string, qi: number, oi: number) {
  const polls = b.deps.polls!;
  const answer = (text: string, alert: boolean) => withTelegramRetry(() => b.tg.answerCbQuery(q.id, text, { show_alert: alert }));
  const poll = await polls.poll(pollId);
  const question = poll?.questions[qi];
  const option = question?.options[oi];
  if (!poll || !question || !option) return void (await answer(POLL_TEXTS.notFound, true));
  const chatId = q.message?.chat.id ?? q.from.id;
  const municipality = await polls.municipalityOf(String(chatId));
  if (poll.municipalities.length > 0 && !municipality) return void (await answer(POLL_TEXTS.askMunicipality, true));
  // Telegram signs the update: from.id is the verified sender, the identity the ballot box hashes.
  const r = await polls.voteFromTelegram({
    pollId,
    questionId: question.id,
    optionId: option.id,
    municipality,
    proof: { fromId: q.from.id, isBot: q.from.is_bot },
  });
  await answer(r.accepted ? `${r.message} Ваш выбор: ${option.text}` : r.message, !r.accepted);
}

/** A button: a poll's here; the dialog's, the rating and the repeat-review buttons in the shared dialog. */
async function onCallback(b: BotParts, q: CallbackQuery) {
  const data = (q as { data?: string }).data ?? '';
  const pollButton = /^poll:([0-9a-f-]{36}):(\d{1,2}):(\d{1,2})$/.exec(data);
  if (pollButton) {
    if (!b.deps.polls) return void (await withTelegramRetry(() => b.tg.answerCbQuery(q.id, undefined)));
    return onPollButton(b, q, pollButton[1]!, Number(pollButton[2]), Number(pollButton[3]));
  }
  const chatId = q.message?.chat.id;
  const press: ButtonPress = { id: q.id, data, userId: q.from.id, chatId: chatId === undefined ? undefined : String(chatId),
    messageRef: q.message?.message_id };
  await onButton(b.dialog, press);
}

/** Groups and channels where the bot is a member: their messages are signals. */
async function onPost(deps: TelegramBotDeps, m: Message) {
  const n = normalizeTelegramPost(m, { salt: deps.salt });
  if (n.ok) await deps.intake.accept(n.message);
  else await deps.intake.stats.dropped('telegram', n.reason);
}

export function createTelegramBot(deps: TelegramBotDeps): TelegramBot {
  const bot = new Telegraf(deps.token, { telegram: { apiRoot: deps.apiRoot, webhookReply: false }, handlerTimeout: 60_000 });
  const tg = bot.telegram;
  const send: Send = (chatId, text, extra) => withTelegramRetry(() => tg.sendMessage(chatId, text, extra));
  const channel = telegramDialogChannel(tg, send);
  const b: BotParts = { deps, tg, send,
    dialog: { channel, store: createDialogStore(deps.db, 'telegram'), intake: deps.intake, salt: deps.salt, logger: deps.logger, ratings: deps.ratings } };

  bot.on('message', async (ctx) => (ctx.message.chat.type === 'private' ? onPrivateMessage(b, ctx.message) : onPost(deps, ctx.message)));
  bot.on('channel_post', (ctx) => onPost(deps, ctx.channelPost));
  bot.on('callback_query', (ctx) => onCallback(b, ctx.callbackQuery));
  // Errors reach the caller: the webhook answers 503 (Telegram redelivers) and polling does not advance.
  bot.catch((err) => {
    throw err;
  });

  const seenKey = (id: number) => `${deps.prefix}:ingest:telegram:update:${id}`;
  async function handleUpdate(update: Update) {
    if (await deps.redis.exists(seenKey(update.update_id))) {
      await deps.intake.stats.dropped('telegram', 'duplicate_update');
      return;
    }
    bot.botInfo ??= await withTelegramRetry(() => tg.getMe());
    // The dialog keeps drafts in PostgreSQL, which cannot store U+0000: an update carrying one would fail forever.
    await bot.handleUpdate(withoutNul(update));
    await deps.redis.set(seenKey(update.update_id), '1', 'EX', 7 * 24 * 3600);
  }

  return { bot, telegram: tg, handleUpdate, runPolling: (signal, opts) => runTelegramPolling(deps, tg, handleUpdate, signal, opts) };
}

/** getUpdates with the offset saved after each update is handled: a restart repeats nothing and skips nothing. */
async function runTelegramPolling(deps: TelegramBotDeps, tg: Telegram, handleUpdate: (u: Update) => Promise<void>, signal: AbortSignal,
  opts: { timeoutSeconds?: number } = {})
{
  const log = deps.logger.child({ component: 'telegram' });
  const key = 'telegram:offset';
  let offset = (await deps.cursors.get<{ offset: number }>(key))?.offset ?? 0;
  let webhookCleared = false;
  await pollUntilAborted({ network: 'telegram', stats: deps.intake.stats, log, what: 'Telegram polling', retryAfter: rateLimitOf }, signal, async () => {
    if (!webhookCleared) {
      // getUpdates is refused while a webhook is set.
      await tg.deleteWebhook({ drop_pending_updates: false });
      webhookCleared = true;
    }
    const updates = await tg.callApi('getUpdates', {
      timeout: opts.timeoutSeconds ?? 25,
      limit: 100,
      offset,
      allowed_updates: ['message', 'channel_post', 'callback_query'],
    }, { signal: signal as never });
    for (const u of updates) {
      await handleUpdate(u);
      offset = u.update_id + 1;
      await deps.cursors.set(key, { offset });
    }
  });
}
