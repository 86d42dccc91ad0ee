import type { CallbackQuery, Message, Update } from '@telegraf/types';
import { Markup, Telegraf, type Telegram } from 'telegraf';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { authorHash } from '../../lib/hash.js';
import { messageIdFor } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { incomingMessageSchema, type Attachment } from '../../lib/queues.js';
import { backoffMs, rateLimitOf, sleep } from '../backoff.js';
import { CITIZEN_TEXTS, onRatingButton, onRepeatButton, onSharedContact, phoneKeyboard, type PhoneLinker, type RatingDesk } from './citizen-buttons.js';
import { withTelegramRetry } from './retry.js';
import type { CursorStore } from '../cursors.js';
import { withoutNul, type Intake } from '../intake.js';
import { normalizeTelegramPost, telegramAttachments, telegramPlace, type TgMessageParts } from './normalize.js';
import { staffLinkCommand, type StaffLinkDesk } from './staff-link.js';

export const TEXTS = {
  start: 'Здравствуйте! Это бот обратной связи с органами власти региона.\n\nОпишите, пожалуйста, проблему одним сообщением: что случилось и где. Можно приложить фото.',
  askText: 'Фото добавлено. Теперь опишите проблему текстом.',
  askDetails: 'Укажите адрес или отправьте геопозицию. Можно добавить фото. Когда всё готово, нажмите «Готово».',
  added: 'Добавлено. Можно добавить ещё адрес, геопозицию или фото, либо нажмите «Готово».',
  tooShort: 'Опишите проблему подробнее (хотя бы несколько слов).',
  accepted: 'Спасибо! Обращение принято. Номер регистрации придёт следующим сообщением.',
  alreadySent: 'Это обращение уже отправлено.',
  cancelled: 'Обращение отменено. Чтобы начать заново, отправьте /start.',
  help: 'Чтобы сообщить о проблеме, отправьте /start и следуйте подсказкам. Ответ придёт в этот чат. ' +
    'Чтобы голоса на сайте и в Telegram считались одним, отправьте /phone и поделитесь номером.',
  ...CITIZEN_TEXTS,
  rateButtonsIntro: 'Оцените, пожалуйста, ответ:',
};

export { ratingKeyboard, type RatingDesk } from './citizen-buttons.js';
export { withTelegramRetry } from './retry.js';

type DialogState = 'describe' | 'details' | 'confirm' | 'idle';
interface Draft {
  text?: string;
  textMessageId?: number;
  address?: string;
  lat?: number;
  lon?: number;
  attachments?: Attachment[];
  name?: string;
  userId?: number;
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
    pollId: string; questionId: string; optionId: string; municipality?: string;
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
  askMunicipality: 'Это голосование для жителей отдельных муниципалитетов. Отправьте /polls и название вашего муниципалитета, например: /polls город Красноярск',
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

export interface TelegramBotDeps {
  token: string;
  apiRoot: string;
  db: pg.Pool;
  redis: Redis;
  prefix: string;
  intake: Intake;
  cursors: CursorStore;
  salt: string;
  logger: Logger;
  /** The polls' ballot box: `/polls` and the poll keyboards; absent, the bot takes no votes. */
  polls?: PollBallotBox;
  /** The workflow's citizen desk for the rating buttons; absent, ratings are refused politely. */
  ratings?: RatingDesk;
  /** The workflow's desk that links staff accounts to chats (`/link <code>`); absent, the commands are not known. */
  staffLinks?: StaffLinkDesk;
}

export interface TelegramBot {
  bot: Telegraf;
  telegram: Telegram;
  /** Handles one update exactly once (redeliveries of a handled update_id are skipped). */
  handleUpdate(update: Update): Promise<void>;
  /** Long polling with a saved offset; resolves when `signal` aborts. */
  runPolling(signal: AbortSignal, opts?: { timeoutSeconds?: number }): Promise<void>;
}

export function createTelegramBot(deps: TelegramBotDeps): TelegramBot {
  const log = deps.logger.child({ component: 'telegram' });
  const bot = new Telegraf(deps.token, { telegram: { apiRoot: deps.apiRoot, webhookReply: false }, handlerTimeout: 60_000 });
  const tg = bot.telegram;
  const send = (chatId: number | string, text: string, extra?: Parameters<Telegram['sendMessage']>[2]) =>
    withTelegramRetry(() => tg.sendMessage(chatId, text, extra));

  const loadDialog = async (chatId: number): Promise<{ state: DialogState; draft: Draft }> => {
    const r = await deps.db.query<{ state: DialogState; draft: Draft }>('select state, draft from telegram_dialogs where chat_id = $1', [String(chatId)]);
    return r.rows[0] ?? { state: 'idle', draft: {} };
  };
  const saveDialog = (chatId: number, state: DialogState, draft: Draft) =>
    deps.db.query(
      `insert into telegram_dialogs (chat_id, state, draft, updated_at) values ($1, $2, $3, now())
       on conflict (chat_id) do update set state = excluded.state, draft = excluded.draft, updated_at = now()`,
      [String(chatId), state, JSON.stringify(draft)],
    );

  const detailsKeyboard = Markup.inlineKeyboard([[Markup.button.callback('Готово', 'done'), Markup.button.callback('Отменить', 'cancel')]]);
  const confirmKeyboard = Markup.inlineKeyboard([[Markup.button.callback('Подтвердить', 'confirm'), Markup.button.callback('Отменить', 'cancel')]]);

  const summary = (d: Draft) => [
    'Проверьте обращение:',
    '',
    d.text ?? '',
    d.address ? `\nАдрес: ${d.address}` : '',
    d.lat !== undefined ? `Геопозиция: ${d.lat.toFixed(5)}, ${d.lon?.toFixed(5)}` : '',
    d.attachments?.length ? `Вложений: ${d.attachments.length}` : '',
    '',
    'Всё верно?',
  ].filter((l, i, a) => l !== '' || (a[i - 1] ?? '') !== '').join('\n');

  /** A private chat with a citizen: the dialog of the citizen bot. */
  async function onPrivateMessage(m: Message) {
    const chatId = m.chat.id;
    const x = m as unknown as TgMessageParts;
    const text = (x.text ?? x.caption ?? '').trim();
    const from = x.from;
    if (deps.staffLinks && (await staffLinkCommand(text, chatId, deps.staffLinks, (t) => send(chatId, t)))) return;
    if (text === '/start' || text.startsWith('/start ')) {
      await saveDialog(chatId, 'describe', { userId: from?.id, name: [from?.first_name, from?.last_name].filter(Boolean).join(' ') || undefined });
      return void (await send(chatId, TEXTS.start));
    }
    if (text === '/help') return void (await send(chatId, TEXTS.help));
    if (text === '/phone') return void (await send(chatId, TEXTS.phoneAsk, phoneKeyboard()));
    if ('contact' in m) return onSharedContact(buttons, m);
    const pollsCommand = /^\/polls(?:@\w+)?(?:\s+([\s\S]+))?$/.exec(text);
    if (pollsCommand && deps.polls) return showPolls(chatId, pollsCommand[1]?.trim().slice(0, 300));
    const { state, draft } = await loadDialog(chatId);
    const attachments = telegramAttachments(m).filter((a) => a.kind !== 'location');
    const place = telegramPlace(m);
    if (state === 'idle' || state === 'describe') {
      if (!text) {
        if (attachments.length === 0) return void (await send(chatId, TEXTS.start));
        await saveDialog(chatId, 'describe', { ...draft, attachments: [...(draft.attachments ?? []), ...attachments] });
        return void (await send(chatId, TEXTS.askText));
      }
      if (text.length < 5) return void (await send(chatId, TEXTS.tooShort));
      const next: Draft = {
        ...draft, userId: draft.userId ?? from?.id,
        name: draft.name ?? ([from?.first_name, from?.last_name].filter(Boolean).join(' ') || undefined),
        text: text.slice(0, 5000), textMessageId: m.message_id, attachments: [...(draft.attachments ?? []), ...attachments],
      };
      await saveDialog(chatId, 'details', next);
      return void (await send(chatId, TEXTS.askDetails, detailsKeyboard));
    }
    // details / confirm: more facts for the same draft.
    const next: Draft = { ...draft, attachments: [...(draft.attachments ?? []), ...attachments].slice(0, 20) };
    if (place.lat !== undefined) Object.assign(next, { lat: place.lat, lon: place.lon }, place.address ? { address: place.address } : {});
    else if (text && attachments.length === 0) next.address = text.slice(0, 1000);
    await saveDialog(chatId, 'details', next);
    await send(chatId, TEXTS.added, detailsKeyboard);
  }

  /** `/polls [municipality]`: remembers the municipality when given, then offers its open polls. */
  async function showPolls(chatId: number, named: string | undefined) {
    const polls = deps.polls!;
    if (named) {
      await polls.subscribe(String(chatId), named);
      await send(chatId, POLL_TEXTS.subscribed(named));
    }
    const municipality = named ?? (await polls.municipalityOf(String(chatId)));
    const open = (await polls.openPolls(municipality)).slice(0, 5);
    if (open.length === 0) return void (await send(chatId, POLL_TEXTS.none));
    for (const p of open) {
      const poll = await polls.poll(p.id);
      if (!poll) continue;
      const m = pollMessage(poll);
      await send(chatId, m.text, m.extra);
    }
  }

  async function onPollButton(q: CallbackQuery, pollId: string, qi: number, oi: number) {
    const polls = deps.polls!;
    const answer = (text: string, alert: boolean) => withTelegramRetry(() => tg.answerCbQuery(q.id, text, { show_alert: alert }));
    const poll = await polls.poll(pollId);
    const question = poll?.questions[qi];
    const option = question?.options[oi];
    if (!poll || !question || !option) return void (await answer(POLL_TEXTS.notFound, true));
    const chatId = q.message?.chat.id ?? q.from.id;
    const municipality = await polls.municipalityOf(String(chatId));
    if (poll.municipalities.length > 0 && !municipality) return void (await answer(POLL_TEXTS.askMunicipality, true));
    // Telegram signs the update: from.id is the verified sender, the identity the ballot box hashes.
    const r = await polls.voteFromTelegram({
      pollId, questionId: question.id, optionId: option.id, municipality, proof: { fromId: q.from.id, isBot: q.from.is_bot },
    });
    await answer(r.accepted ? `${r.message} Ваш выбор: ${option.text}` : r.message, !r.accepted);
  }

  const buttons = { tg, salt: deps.salt, log, ratings: deps.ratings, send, polls: deps.polls };

  async function onCallback(q: CallbackQuery) {
    const data = (q as { data?: string }).data ?? '';
    const chatId = q.message?.chat.id;
    const answer = (text?: string) => withTelegramRetry(() => tg.answerCbQuery(q.id, text));
    const pollButton = /^poll:([0-9a-f-]{36}):(\d{1,2}):(\d{1,2})$/.exec(data);
    if (pollButton) {
      if (!deps.polls) return void (await answer());
      return onPollButton(q, pollButton[1]!, Number(pollButton[2]), Number(pollButton[3]));
    }
    const rate = /^rate:([0-9a-f-]{36}):([1-5])$/.exec(data);
    if (rate) return onRatingButton(buttons, q, rate[1]!, Number(rate[2]));
    const repeat = /^repeat:([0-9a-f-]{36})$/.exec(data);
    if (repeat) return onRepeatButton(buttons, q, repeat[1]!);
    if (chatId === undefined) return void (await answer());
    const { state, draft } = await loadDialog(chatId);
    if (data === 'cancel') {
      await saveDialog(chatId, 'idle', {});
      await answer();
      return void (await send(chatId, TEXTS.cancelled));
    }
    if (data === 'done' && (state === 'details' || state === 'confirm') && draft.text) {
      await saveDialog(chatId, 'confirm', draft);
      await answer();
      return void (await send(chatId, summary(draft), confirmKeyboard));
    }
    if (data === 'confirm' && state === 'confirm' && draft.text && draft.textMessageId !== undefined) {
      // The id comes from the citizen's description message: a double tap or a redelivery makes one message.
      const externalId = `${chatId}:${draft.textMessageId}`;
      const message = incomingMessageSchema.parse({
        messageId: messageIdFor('telegram', externalId),
        source: 'telegram',
        externalId,
        receivedAt: new Date().toISOString(),
        text: draft.text,
        authorHash: authorHash(deps.salt, 'telegram', `user:${draft.userId ?? q.from.id}`),
        contact: { name: draft.name, channelUserId: String(chatId) },
        place: { address: draft.address, lat: draft.lat, lon: draft.lon },
        attachments: draft.attachments ?? [],
        provenance: { channel: 'telegram', via: 'bot', chatId: String(chatId), replyToMessageId: String(draft.textMessageId) },
        origin: 'appeal',
        raw: { draft, callbackQueryId: q.id },
      });
      await deps.intake.accept(message);
      await saveDialog(chatId, 'idle', {});
      await answer();
      return void (await send(chatId, TEXTS.accepted));
    }
    if (data === 'confirm') return void (await answer(TEXTS.alreadySent));
    await answer();
  }

  bot.on('message', async (ctx) => {
    const m = ctx.message;
    if (m.chat.type === 'private') return onPrivateMessage(m);
    const n = normalizeTelegramPost(m, { salt: deps.salt });
    if (n.ok) await deps.intake.accept(n.message);
    else await deps.intake.stats.dropped('telegram', n.reason);
  });
  bot.on('channel_post', async (ctx) => {
    const n = normalizeTelegramPost(ctx.channelPost, { salt: deps.salt });
    if (n.ok) await deps.intake.accept(n.message);
    else await deps.intake.stats.dropped('telegram', n.reason);
  });
  bot.on('callback_query', (ctx) => onCallback(ctx.callbackQuery));
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

  async function runPolling(signal: AbortSignal, opts: { timeoutSeconds?: number } = {}) {
    const key = 'telegram:offset';
    let offset = (await deps.cursors.get<{ offset: number }>(key))?.offset ?? 0;
    let failures = 0;
    let webhookCleared = false;
    while (!signal.aborted) {
      try {
        if (!webhookCleared) {
          // getUpdates is refused while a webhook is set.
          await tg.deleteWebhook({ drop_pending_updates: false });
          webhookCleared = true;
        }
        const updates = await tg.callApi('getUpdates', {
          timeout: opts.timeoutSeconds ?? 25, limit: 100, offset, allowed_updates: ['message', 'channel_post', 'callback_query'],
        }, { signal: signal as never });
        for (const u of updates) {
          await handleUpdate(u);
          offset = u.update_id + 1;
          await deps.cursors.set(key, { offset });
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        await deps.intake.stats.failed('telegram');
        const wait = rateLimitOf(err) ?? backoffMs(failures);
        log.warn({ err: (err as Error).message, retryInMs: wait }, 'Telegram polling failed; backing off');
        await sleep(wait, signal);
      }
    }
  }

  return { bot, telegram: tg, handleUpdate, runPolling };
}
