/**
 * The region's MAX bot: the citizen dialog in private chats (shared with Telegram, ingest/dialog/), messages of the
 * group chats and channels it is a member of and comments under channel posts as signals, and its buttons.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '../../lib/logger.js';
import { onButton, onCitizenMessage, startDialog, type ButtonPress, type DialogChannel, type DialogDeps, type RatingDesk } from '../dialog/dialog.js';
import { createDialogStore } from '../dialog/store.js';
import { withoutNul, type Intake } from '../intake.js';
import { MaxRefusedError, withMaxRetry, type MaxClient } from './api.js';
import { maxKeyboard, splitText } from './messages.js';
import { citizenMessageOf, maxName, maxReplyTo, normalizeMaxDirect, normalizeMaxPost, type MaxMessage, type MaxUpdate } from './normalize.js';

export interface MaxBotDeps {
  client: MaxClient;
  db: pg.Pool;
  redis: Redis;
  prefix: string;
  intake: Intake;
  salt: string;
  logger: Logger;
  /** The workflow's citizen desk for the rating buttons; absent, ratings are refused politely. */
  ratings?: RatingDesk;
}

export interface MaxBot {
  /** Handles one update exactly once (a redelivered update is skipped). */
  handleUpdate(update: MaxUpdate): Promise<void>;
}

/** The update types the bot acts on (subscriptions and long polling ask for these). */
export const MAX_UPDATE_TYPES = ['message_created', 'message_callback', 'bot_started', 'comment_created'] as const;

/** A press of a MAX button, with the text of the message it is under (MAX edits a message as a whole). */
type MaxPress = ButtonPress & { messageText?: string };

function maxDialogChannel(client: MaxClient): DialogChannel {
  return {
    source: 'max',
    send: async (chatId, text, buttons) => {
      const parts = splitText(text);
      for (const [i, part] of parts.entries()) {
        const keyboard = buttons && i === parts.length - 1 ? { attachments: [maxKeyboard(buttons)] } : undefined;
        await withMaxRetry(() => client.call((api) => api.sendMessageToChat(Number(chatId), part, keyboard)));
      }
    },
    // MAX shows a callback answer as a passing notice; a press answered with nothing needs no call.
    answer: async (press, text) => {
      // `notification` (dev.max.ru POST /answers) is not in the SDK's types yet: the raw call sends it.
      if (text) {
        await withMaxRetry(() => client.call((api) => api.raw.post('answers', { query: { callback_id: press.id }, body: { notification: text } as object })));
      }
    },
    clearButtons: async (press) => {
      const p = press as MaxPress;
      if (p.messageRef === undefined || p.messageText === undefined) return;
      await withMaxRetry(() => client.call((api) => api.editMessage(String(p.messageRef), { text: p.messageText, attachments: [] })));
    },
    provenance: (chatId, messageRef) => ({ channel: 'max', via: 'bot', chatId, ...maxReplyTo(chatId, messageRef) }),
  };
}

/** A redelivered update has the same key: a message by its mid, a press by its callback id. */
function updateKey(u: MaxUpdate): string | undefined {
  if (u.message && (u.update_type === 'message_created' || u.update_type === 'comment_created')) return `${u.update_type}:${u.message.body.mid}`;
  if (u.callback) return `callback:${u.callback.callback_id}`;
  if (u.update_type === 'bot_started' && u.chat_id !== undefined && u.timestamp !== undefined) return `started:${u.chat_id}:${u.timestamp}`;
  return undefined;
}

export function createMaxBot(deps: MaxBotDeps): MaxBot {
  const dialog: DialogDeps = { channel: maxDialogChannel(deps.client), store: createDialogStore(deps.db, 'max'), intake: deps.intake, salt: deps.salt,
    logger: deps.logger, ratings: deps.ratings };
  const seenKey = (key: string) => `${deps.prefix}:ingest:max:update:${key}`;
  const log = deps.logger.child({ component: 'max' });
  return {
    async handleUpdate(update) {
      const key = updateKey(update);
      if (key && (await deps.redis.exists(seenKey(key)))) {
        await deps.intake.stats.dropped('max', 'duplicate_update');
        return;
      }
      try {
        // The dialog keeps drafts in PostgreSQL, which cannot store U+0000: an update carrying one would fail forever.
        await dispatch(deps, dialog, withoutNul(update));
      } catch (err) {
        // MAX refused the bot's reply (blocked by the person, the chat gone): handling the update again cannot help.
        if (!(err instanceof MaxRefusedError)) throw err;
        await deps.intake.stats.failed('max');
        log.warn({ err: err.message, updateType: update.update_type }, 'MAX refused a reply of the bot; the update is done');
      }
      if (key) await deps.redis.set(seenKey(key), '1', 'EX', 7 * 24 * 3600);
    },
  };
}

async function dispatch(deps: MaxBotDeps, dialog: DialogDeps, u: MaxUpdate): Promise<void> {
  const m = u.message;
  if (u.update_type === 'message_created' && m) {
    const type = m.recipient.chat_type;
    if (type === 'dialog') return onDialogMessage(deps, dialog, m);
    if (type === 'chat' || type === 'channel') return acceptPost(deps, m, type);
    return deps.intake.stats.dropped('max', 'unknown_chat_type');
  }
  if (u.update_type === 'comment_created' && m) return acceptPost(deps, m, 'comment');
  if (u.update_type === 'message_callback' && u.callback) {
    const chatId = m?.recipient.chat_id;
    const press: MaxPress = { id: u.callback.callback_id, data: u.callback.payload ?? '', userId: u.callback.user.user_id,
      chatId: chatId === null || chatId === undefined ? undefined : String(chatId), messageRef: m?.body.mid, messageText: m?.body.text ?? undefined };
    return onButton(dialog, press);
  }
  // The citizen pressed «Начать» in a new chat with the bot: the guided dialog starts.
  if (u.update_type === 'bot_started' && u.chat_id !== undefined && u.user) {
    return startDialog(dialog, String(u.chat_id), { id: u.user.user_id, name: maxName(u.user) });
  }
  await deps.intake.stats.dropped('max', 'ignored_update');
}

async function acceptPost(deps: MaxBotDeps, m: MaxMessage, via: 'chat' | 'channel' | 'comment') {
  const n = normalizeMaxPost(m, { salt: deps.salt, via });
  if (n.ok) await deps.intake.accept(n.message);
  else await deps.intake.stats.dropped('max', n.reason);
}

/**
 * The private chat: inside a guided dialog (after «Начать» or /start) the message is its next step; outside one, a
 * message of a few words or with media is the appeal as written, and anything shorter gets the dialog's prompt.
 */
async function onDialogMessage(deps: MaxBotDeps, dialog: DialogDeps, m: MaxMessage): Promise<void> {
  const c = citizenMessageOf(m);
  if (!c) return deps.intake.stats.dropped('max', 'no_chat');
  if (m.sender?.is_bot) return deps.intake.stats.dropped('max', 'bot');
  const { state } = await dialog.store.load(c.chatId);
  const worded = c.text.length >= 5 || (c.text === '' && c.attachments.length > 0);
  if (state === 'idle' && worded && !c.text.startsWith('/')) {
    const n = normalizeMaxDirect(m, { salt: deps.salt });
    if (n.ok) return void (await deps.intake.accept(n.message));
    return deps.intake.stats.dropped('max', n.reason);
  }
  await onCitizenMessage(dialog, c);
}
