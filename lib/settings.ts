/**
 * Settings administrators edit in the UI: the channels' (each network's settings as a list of descriptors, so a new
 * network only adds its entries) and the region's rules (deadlines, fast-tracks). Stored by the workflow in
 * PostgreSQL (workflow/store/settings.ts) over the defaults of the environment (lib/config.ts) and
 * config/region.yaml; every process reads them at start and again when their version moves (main.ts). A setting
 * marked `restart` changes what a process builds at start (a bot, a poller, a webhook route) and applies after a
 * restart; `live` ones apply within seconds.
 */
import { z } from 'zod';
import { type Config, parseOkGroups } from './config.js';
import { reminderDaysSchema } from './region-config.js';

export type SettingKind = 'text' | 'secret' | 'list' | 'ids' | 'flag';

export interface SettingDef {
  key: string;
  /** The network or channel it belongs to (a key of NETWORK_NAMES). */
  network: string;
  label: string;
  kind: SettingKind;
  apply: 'live' | 'restart';
  /** The environment variable that gives the default. */
  env: string;
  help: string;
  /** A check beyond the kind's (a format of its own): the reason in Russian when the value is wrong. */
  check?: (value: unknown) => string | undefined;
}

export const NETWORK_NAMES: Record<string, string> = {
  contact_center: 'Контакт-центр 122',
  widget: 'Виджет на сайтах',
  vk: 'ВКонтакте',
  telegram: 'Telegram',
  max: 'MAX',
  ok: 'Одноклассники',
};

export const CHANNEL_SETTINGS: SettingDef[] = [
  { key: 'contactCenter.secret', network: 'contact_center', label: 'Секрет подписи карточек звонков', kind: 'secret', apply: 'live',
    env: 'CONTACT_CENTER_SECRET',
    help: 'Общий секрет с контакт-центром: карточка звонка подписывается HMAC-SHA256 (заголовок X-Signature). Пока не задан, приём карточек выключен.' },
  { key: 'widget.allowedOrigins', network: 'widget', label: 'Сайты, на которых работает виджет', kind: 'list', apply: 'live', env: 'WIDGET_ALLOWED_ORIGINS',
    help: 'Адреса сайтов целиком (https://www.example.ru), по одному в строке. Пока список пуст, виджет выключен.' },
  { key: 'vk.groupIds', network: 'vk', label: 'Официальные сообщества региона (числовые id)', kind: 'ids', apply: 'restart', env: 'VK_GROUP_IDS',
    help: 'Без минуса, по одному в строке или через запятую. Только эти сообщества принимаются.' },
  { key: 'vk.callbackConfirmation', network: 'vk', label: 'Код подтверждения Callback API', kind: 'text', apply: 'restart', env: 'VK_CALLBACK_CONFIRMATION',
    help:
      'Строка, которую ВКонтакте показывает в настройках сообщества (Управление → API → Callback API); для нескольких сообществ — «id:код» через запятую.' },
  { key: 'vk.callbackSecret', network: 'vk', label: 'Секретный ключ Callback API', kind: 'secret', apply: 'restart', env: 'VK_CALLBACK_SECRET',
    help: 'Обязателен вместе с кодом подтверждения: события с другим ключом отклоняются.' },
  { key: 'vk.groupToken', network: 'vk', label: 'Ключ доступа сообщества', kind: 'secret', apply: 'restart', env: 'VK_GROUP_TOKEN',
    help: 'Для ответов от имени сообщества и для Bots Long Poll.' },
  { key: 'vk.longPoll', network: 'vk', label: 'Получать события через Bots Long Poll (вместо Callback API)', kind: 'flag', apply: 'restart',
    env: 'VK_LONG_POLL', help: 'Нужен ключ доступа сообщества и id сообществ.' },
  { key: 'vk.serviceToken', network: 'vk', label: 'Сервисный ключ для поиска по ключевым словам', kind: 'secret', apply: 'restart', env: 'VK_SERVICE_TOKEN',
    help: 'Для мониторинга публичных записей (newsfeed.search).' },
  { key: 'vk.searchKeywords', network: 'vk', label: 'Ключевые слова мониторинга', kind: 'list', apply: 'restart', env: 'VK_SEARCH_KEYWORDS',
    help: 'Названия мест и темы региона, по одному в строке. Пусто — мониторинг выключен.' },
  { key: 'telegram.botToken', network: 'telegram', label: 'Токен бота', kind: 'secret', apply: 'restart', env: 'TELEGRAM_BOT_TOKEN',
    help: 'Выдаёт @BotFather. Бот принимает обращения, сообщает номер и ответ, собирает оценки; в группах — мониторинг.' },
  { key: 'telegram.webhookSecret', network: 'telegram', label: 'Секрет вебхука', kind: 'secret', apply: 'restart', env: 'TELEGRAM_WEBHOOK_SECRET',
    help: 'Задан — обновления приходят на POST /webhooks/telegram; не задан — бот сам опрашивает Telegram (long polling).' },
  { key: 'max.botToken', network: 'max', label: 'Токен бота MAX', kind: 'secret', apply: 'restart', env: 'MAX_BOT_TOKEN',
    help: 'Выдаёт платформа MAX для партнёров. Бот принимает обращения, сообщает номер и ответ, собирает оценки; групповые чаты и каналы — мониторинг.' },
  { key: 'max.webhookSecret', network: 'max', label: 'Секрет вебхука MAX', kind: 'secret', apply: 'restart', env: 'MAX_WEBHOOK_SECRET',
    help:
      'Нужен, когда задан публичный адрес Отклика (OTKLIK_PUBLIC_URL): тогда MAX присылает обновления на POST /webhooks/max с этим секретом; без публичного адреса бот опрашивает MAX сам.' },
  { key: 'ok.webhookSecret', network: 'ok', label: 'Секрет адреса вебхука Одноклассников', kind: 'secret', apply: 'restart', env: 'OK_WEBHOOK_SECRET',
    help: 'Часть адреса, на который ОК присылают сообщения группам (группы и ключи их ботов — в следующей настройке).' },
  { key: 'ok.groups', network: 'ok', label: 'Группы ОК и ключи их ботов', kind: 'secret', apply: 'restart', env: 'OK_GROUPS',
    help:
      'Официальные группы региона через запятую: «id группы:ключ бота» (ключ Bot API — в настройках группы); группа без ключа — только мониторинг комментариев. Например: 53038939046008:tkn1abc…, 54000000000001',
    check: (value) => {
      try {
        return parseOkGroups(String(value)).length ? undefined : 'нужна хотя бы одна группа';
      } catch {
        return 'каждая группа — числовой id, после него через двоеточие ключ бота; группы через запятую';
      }
    } },
  { key: 'ok.applicationKey', network: 'ok', label: 'Публичный ключ приложения ОК', kind: 'text', apply: 'restart', env: 'OK_APPLICATION_KEY',
    help: 'Для чтения комментариев под постами групп (REST API).' },
  { key: 'ok.applicationSecretKey', network: 'ok', label: 'Секретный ключ приложения ОК', kind: 'secret', apply: 'restart', env: 'OK_APPLICATION_SECRET_KEY',
    help: 'Подписывает запросы к REST API.' },
  { key: 'ok.accessToken', network: 'ok', label: 'Токен администратора групп ОК', kind: 'secret', apply: 'restart', env: 'OK_ACCESS_TOKEN',
    help: 'Вечный токен администратора групп: чтение комментариев и ответы от имени группы.' },
];

const lines = (max: number) => z.array(z.string().trim().min(1).max(max)).max(200);

/** The value a setting of this kind takes (null removes it: the environment's default applies again). */
export function settingValueSchema(kind: SettingKind): z.ZodType {
  switch (kind) {
    case 'text':
      return z.string().trim().min(1).max(2000);
    case 'secret':
      return z.string().trim().min(8, 'не короче 8 символов').max(500);
    case 'list':
      return lines(500);
    case 'ids':
      return z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).max(100);
    case 'flag':
      return z.boolean();
  }
}

export type StoredSettings = Record<string, unknown>;

const origin = (o: string) => o.replace(/(?<!\/)\/+$/, '');

/** The configuration with the channel settings stored in the UI laid over the environment's. Pure. */
export function applyChannelSettings(config: Config, stored: StoredSettings): Config {
  const get = <T>(key: string, fallback: T): T => (stored[key] === undefined || stored[key] === null ? fallback : (stored[key] as T));
  return {
    ...config,
    contactCenterSecret: get('contactCenter.secret', config.contactCenterSecret),
    widget: { ...config.widget, allowedOrigins: get<string[]>('widget.allowedOrigins', config.widget.allowedOrigins).map(origin) },
    vk: {
      ...config.vk,
      groupIds: get('vk.groupIds', config.vk.groupIds),
      callbackConfirmation: get('vk.callbackConfirmation', config.vk.callbackConfirmation),
      callbackSecret: get('vk.callbackSecret', config.vk.callbackSecret),
      groupToken: get('vk.groupToken', config.vk.groupToken),
      longPoll: get('vk.longPoll', config.vk.longPoll),
      serviceToken: get('vk.serviceToken', config.vk.serviceToken),
      searchKeywords: get('vk.searchKeywords', config.vk.searchKeywords),
    },
    telegram: { ...config.telegram, botToken: get('telegram.botToken', config.telegram.botToken),
      webhookSecret: get('telegram.webhookSecret', config.telegram.webhookSecret) },
    max: { ...config.max, botToken: get('max.botToken', config.max.botToken), webhookSecret: get('max.webhookSecret', config.max.webhookSecret) },
    ok: {
      ...config.ok,
      webhookSecret: get('ok.webhookSecret', config.ok.webhookSecret),
      groups: stored['ok.groups'] ? parseOkGroups(String(stored['ok.groups'])) : config.ok.groups,
      applicationKey: get('ok.applicationKey', config.ok.applicationKey),
      applicationSecretKey: get('ok.applicationSecretKey', config.ok.applicationSecretKey),
      accessToken: get('ok.accessToken', config.ok.accessToken),
    },
  };
}

/** What the environment sets for a channel setting (for the page: «из переменной окружения»). */
export function envValueOf(config: Config, key: string): unknown {
  const env: Record<string, unknown> = {
    'contactCenter.secret': config.contactCenterSecret,
    'widget.allowedOrigins': config.widget.allowedOrigins,
    'vk.groupIds': config.vk.groupIds,
    'vk.callbackConfirmation': config.vk.callbackConfirmation,
    'vk.callbackSecret': config.vk.callbackSecret,
    'vk.groupToken': config.vk.groupToken,
    'vk.longPoll': config.vk.longPoll,
    'vk.serviceToken': config.vk.serviceToken,
    'vk.searchKeywords': config.vk.searchKeywords,
    'telegram.botToken': config.telegram.botToken,
    'telegram.webhookSecret': config.telegram.webhookSecret,
    'max.botToken': config.max.botToken,
    'max.webhookSecret': config.max.webhookSecret,
    'ok.webhookSecret': config.ok.webhookSecret,
    'ok.groups': config.ok.groups.map((g) => (g.token ? `${g.id}:${g.token}` : g.id)).join(','),
    'ok.applicationKey': config.ok.applicationKey,
    'ok.applicationSecretKey': config.ok.applicationSecretKey,
    'ok.accessToken': config.ok.accessToken,
  };
  const v = env[key];
  return (Array.isArray(v) && v.length === 0) || v === false || v === '' ? undefined : v;
}

/** The region rules an administrator may change in the UI; what is left out keeps config/region.yaml's value. */
export const REGION_SETTING_KEY = 'region';

const phraseList = z.array(z.string().trim().min(1).max(300)).max(500);
const signalHours = z.number().int().min(1).max(720);

export const regionOverrideSchema = z.object({
  timezone: z.string().trim().min(1).max(100).refine((tz) => {
    try {
      new Intl.DateTimeFormat('ru-RU', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'неизвестный часовой пояс (пример: Asia/Krasnoyarsk)').optional(),
  standardDays: z.number().int().min(1).max(30).optional(),
  fastTrackDays: z.number().int().min(1).max(30).optional(),
  reminderDays: reminderDaysSchema.optional(),
  /** The monitoring team's terms for signals, in hours (lib/signal-terms.ts); each pair replaces the file's. */
  signals: z.object({
    reactionHours: z.object({ default: signalHours, fastTrack: signalHours }).optional(),
    answerHours: z.object({ default: signalHours, fastTrack: signalHours }).optional(),
  }).optional(),
  fastTrack: z.object({ categories: phraseList, reasons: phraseList, keywords: phraseList }).optional(),
  federalServices: z.array(z.object({
    id: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(300),
    days: z.number().int().min(1).max(15),
    keywords: z.array(z.string().trim().min(1).max(300)).min(1).max(100),
  })).max(100).optional(),
}).strict();
export type RegionOverride = z.infer<typeof regionOverrideSchema>;

const withoutUndefined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The region's rules with the administrators' override laid over the file's. */
export function applyRegionOverride<T extends object>(fromFile: T, override: RegionOverride | undefined): T {
  if (!override) return fromFile;
  const set = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
  // The signals section holds more than the terms set here (working hours, spikes): only the pairs set replace the file's.
  const fileSignals = (fromFile as { signals?: object }).signals;
  if (override.signals && fileSignals) set.signals = { ...fileSignals, ...withoutUndefined(override.signals) };
  return { ...fromFile, ...set };
}
