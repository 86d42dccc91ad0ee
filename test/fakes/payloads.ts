/** Raw network payloads shaped as VK and Telegram document them (field names and nesting), with overrides. */
let seq = 100;
const now = () => Math.floor(Date.now() / 1000);

export function vkPhoto(ownerId: number, id: number) {
  return {
    type: 'photo',
    photo: {
      album_id: -7,
      date: now(),
      id,
      owner_id: ownerId,
      access_key: 'a1b2c3',
      text: '',
      sizes: [
        { height: 75, width: 56, type: 's', url: `https://sun9-1.userapi.com/s/${id}_s.jpg` },
        { height: 1280, width: 960, type: 'z', url: `https://sun9-1.userapi.com/s/${id}_z.jpg` },
        { height: 604, width: 453, type: 'x', url: `https://sun9-1.userapi.com/s/${id}_x.jpg` },
      ],
    },
  };
}

/** `wall_reply_new` object: a comment (dev.vk.com/ru/api/community-events/json-schema#wall_reply_new). */
export function buildVkComment(o: Partial<{ id: number; owner_id: number; post_id: number; from_id: number; text: string; attachments: unknown[] }> = {}) {
  return {
    id: o.id ?? ++seq,
    from_id: o.from_id ?? 123456789,
    date: now(),
    text: o.text ?? 'Во дворе дома на Мира 5 уже неделю не вывозят мусор, контейнеры переполнены.',
    post_owner_id: o.owner_id ?? -111,
    owner_id: o.owner_id ?? -111,
    post_id: o.post_id ?? 4242,
    parents_stack: [],
    thread: { count: 0 },
    attachments: o.attachments ?? [],
  };
}

/** `wall_post_new` object: a wall post (a suggested post by a citizen on the community wall). */
export function buildVkPost(o: Partial<{ id: number; owner_id: number; from_id: number; text: string; date: number; attachments: unknown[] }> = {}) {
  return {
    id: o.id ?? ++seq,
    owner_id: o.owner_id ?? -111,
    from_id: o.from_id ?? 222333444,
    created_by: undefined,
    date: o.date ?? now(),
    marked_as_ads: 0,
    post_type: 'post',
    text: o.text ?? 'На остановке «Школа №3» разбит павильон, люди ждут автобус под дождём.',
    can_edit: 0,
    can_delete: 0,
    comments: { count: 0 },
    likes: { count: 3 },
    reposts: { count: 0 },
    views: { count: 40 },
    attachments: o.attachments ?? [],
    geo: { type: 'point', coordinates: '56.0106 92.8526', place: { title: 'Красноярск' } },
  };
}

/** `message_new` object: `{message, client_info}` (API 5.103+). */
export function buildVkMessage(o: Partial<{ peer_id: number; from_id: number; conversation_message_id: number; text: string }> = {}) {
  const from = o.from_id ?? 555000111;
  return {
    message: { date: now(), from_id: from, id: 0, out: 0, attachments: [], conversation_message_id: o.conversation_message_id ?? ++seq, fwd_messages: [],
      important: false, is_hidden: false, peer_id: o.peer_id ?? from, random_id: 0, text: o.text ?? 'Здравствуйте! В подъезде не работает лифт третий день.' },
    client_info: { button_actions: ['text'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 },
  };
}

/** `board_post_new` object: a comment in a discussion topic. */
export function buildVkBoardPost(o: Partial<{ id: number; topic_id: number; topic_owner_id: number; from_id: number; text: string }> = {}) {
  return { id: o.id ?? ++seq, from_id: o.from_id ?? 999888777, date: now(), text: o.text ?? 'Когда отремонтируют дорогу на улице Ленина?',
    topic_id: o.topic_id ?? 39_000_001, topic_owner_id: o.topic_owner_id ?? -111, attachments: [] };
}

export function buildVkCallback(type: string, object: unknown, o: { group_id?: number; secret?: string } = {}) {
  return { type, object, group_id: o.group_id ?? 111, event_id: `ev${++seq}`, v: '5.199', ...(o.secret !== undefined ? { secret: o.secret } : {}) };
}

// ---- Telegram ----

export const tgUser = (id = 4100100, o: Record<string, unknown> = {}) => ({ id, is_bot: false, first_name: 'Иван', last_name: 'Петров', username: 'ivan_p',
  language_code: 'ru', ...o });

export function tgPrivateMessage(chatId: number, o: Record<string, unknown> = {}) {
  return {
    message_id: ++seq,
    date: now(),
    from: tgUser(chatId),
    chat: { id: chatId, type: 'private', first_name: 'Иван', last_name: 'Петров', username: 'ivan_p' },
    ...o,
  };
}

export function tgGroupMessage(o: Record<string, unknown> = {}) {
  return {
    message_id: ++seq,
    date: now(),
    from: tgUser(4200200, { first_name: 'Мария' }),
    chat: { id: -1001234567890, type: 'supergroup', title: 'Красноярск: жалобы и предложения', username: 'krsk_complaints' },
    text: 'На Взлётке второй день не горят фонари вдоль дороги, очень опасно вечером.',
    ...o,
  };
}

export function tgChannelPost(o: Record<string, unknown> = {}) {
  return {
    message_id: ++seq,
    date: now(),
    sender_chat: { id: -1009876543210, type: 'channel', title: 'Новости Ачинска', username: 'achinsk_news' },
    chat: { id: -1009876543210, type: 'channel', title: 'Новости Ачинска', username: 'achinsk_news' },
    text: 'Жители улицы Кирова жалуются на отсутствие горячей воды.',
    ...o,
  };
}

export const tgPhoto = (id: string) => [
  { file_id: `${id}-small`, file_unique_id: `${id}s`, file_size: 1200, width: 90, height: 67 },
  { file_id: `${id}-big`, file_unique_id: `${id}b`, file_size: 98_000, width: 1280, height: 960 },
];

export function tgCallback(chatId: number, messageId: number, data: string) {
  return {
    id: String(++seq * 1000 + 7),
    from: tgUser(chatId),
    chat_instance: '-123456789',
    message: { message_id: messageId, date: now(), chat: { id: chatId, type: 'private' }, from: { id: 7000001, is_bot: true, first_name: 'Отклик' },
      text: '…' },
    data,
  };
}

// ---- MAX (dev.max.ru objects Update, Message, User; timestamps in milliseconds) ----

let maxMidSeq = 0x5a000;
export const maxMid = () => `mid.${(++maxMidSeq).toString(16).padStart(16, '0')}`;

export const maxUser = (userId = 5_100_100, o: Record<string, unknown> = {}) => ({ user_id: userId, first_name: 'Анна', last_name: 'Смирнова',
  name: 'Анна Смирнова', username: null, is_bot: false, last_activity_time: Date.now(), ...o });

/** A message in the private chat of a citizen with the bot (`chat_type: dialog`). */
export function maxDialogMessage(chatId: number, userId: number, body: { text?: string | null; attachments?: unknown[] } = {}) {
  return {
    sender: maxUser(userId),
    recipient: { chat_id: chatId, chat_type: 'dialog', user_id: 9_000_001 },
    timestamp: Date.now(),
    body: { mid: maxMid(), seq: ++seq, text: body.text ?? null, attachments: body.attachments ?? null },
  };
}

/** A message in a group chat the bot is a member of (`chat_type: chat`). */
export function maxChatMessage(o: { chatId?: number; userId?: number; text?: string; attachments?: unknown[]; mid?: string } = {}) {
  return {
    sender: maxUser(o.userId ?? 5_200_200, { first_name: 'Пётр', last_name: 'Иванов', name: 'Пётр Иванов' }),
    recipient: { chat_id: o.chatId ?? -70_000_000_123, chat_type: 'chat', user_id: null },
    timestamp: Date.now(),
    body: { mid: o.mid ?? maxMid(), seq: ++seq, text: o.text ?? 'В Железногорске на улице Ленина третий день нет горячей воды, управляющая компания молчит.',
      attachments: o.attachments ?? null },
  };
}

export const maxUpdate = <T extends Record<string, unknown>>(type: string, fields: T) => ({ update_type: type, timestamp: Date.now(), ...fields });

export const maxMessageCreated = (message: Record<string, unknown>) => maxUpdate('message_created', { message, user_locale: 'ru' });

/** A press of a callback button under `message` (the bot's message, as MAX repeats it in the update). */
export function maxCallback(chatId: number, userId: number, payload: string, message: { mid: string; text?: string }) {
  return maxUpdate('message_callback', {
    callback: { timestamp: Date.now(), callback_id: `cb.${++seq}.${Math.random().toString(36).slice(2, 10)}`, payload, user: maxUser(userId) },
    message: { sender: { user_id: 9_000_001, first_name: 'Отклик', name: 'Отклик', is_bot: true },
      recipient: { chat_id: chatId, chat_type: 'dialog', user_id: userId }, timestamp: Date.now(),
      body: { mid: message.mid, seq: ++seq, text: message.text ?? '…', attachments: null } },
    user_locale: 'ru',
  });
}

export const maxBotStarted = (chatId: number, userId: number) =>
  maxUpdate('bot_started', { chat_id: chatId, user: maxUser(userId), payload: null, user_locale: 'ru' });

export const maxImage = (photoId: number) => ({ type: 'image',
  payload: { photo_id: photoId, token: `tok${photoId}`, url: `https://i.oneme.ru/i?r=${photoId}` } });
export const maxLocation = (latitude: number, longitude: number) => ({ type: 'location', latitude, longitude });

// ---- Одноклассники (apiok.ru graph.user.subscribe webhook messages; ids are strings like "user:…", "chat:…") ----

let okSeq = 0x15cea67d78d2000;
/** A message to a group as its webhook posts it. */
export function okGroupMessage(chatId: string, userId: string, o: { text?: string; attachments?: unknown[]; name?: string } = {}) {
  okSeq += 17;
  return {
    webhookType: 'MESSAGE_CREATED',
    sender: { user_id: `user:${userId}`, name: o.name ?? 'Ольга Кузнецова' },
    recipient: { chat_id: chatId },
    message: { text: o.text ?? 'Здравствуйте! В посёлке Березовка уже неделю не работает уличное освещение.', seq: okSeq,
      mid: `mid:${chatId.slice(5)}.${okSeq.toString(16)}`, ...(o.attachments ? { attachments: o.attachments } : {}) },
    timestamp: Date.now(),
  };
}
