import path from 'node:path';
import { z } from 'zod';

export const ROLES = ['ingest', 'classify', 'workflow', 'analytics', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const flag = z.enum(['0', '1', 'true', 'false', '']).optional().transform((v) => v === '1' || v === 'true');

const portNumber = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  PORT: portNumber.default(3000),
  HOST: z.string().default('0.0.0.0'),
  OTKLIK_DATA_DIR: z.string().default('./data'),
  // Only as root: the embedded PostgreSQL's cluster and binaries (it runs as the postgres user, which must reach them).
  OTKLIK_POSTGRES_SYSTEM_DIR: z.string().default('/var/lib/otklik'),
  OTKLIK_REGION_CONFIG: z.string().default('./config/region.yaml'),
  // Routing table and automatic-routing policy of the region, read once on first start (then edited through the API).
  OTKLIK_ROUTING_CONFIG: z.string().default('./config/routing.yaml'),
  OTKLIK_GAZETTEER: z.string().default('./config/gazetteer/krasnoyarsk-krai.json'),
  OTKLIK_MODELS_DIR: z.string().default('./models'),
  OTKLIK_DATASETS: optionalString,
  OTKLIK_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('otklik'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  REDIS_URL: optionalString,
  DATABASE_URL: optionalString,
  CLICKHOUSE_URL: optionalString,
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('otklik'),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z0-9_]*$/).optional().transform((v) => (v ? v : undefined)),
  OTKLIK_EVENTS_TTL_DAYS: z.coerce.number().int().min(0).default(0),

  OTKLIK_ADMIN_LOGIN: z.string().min(1).default('admin'),
  OTKLIK_ADMIN_PASSWORD: optionalString,
  OTKLIK_HASH_SALT: optionalString,
  OTKLIK_TOKEN_TTL_HOURS: z.coerce.number().positive().default(12),
  OTKLIK_SECURE_COOKIES: flag,
  // Where citizens and staff reach Otklik (https://… makes every cookie Secure), and which proxies may set X-Forwarded-*.
  OTKLIK_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OTKLIK_TRUST_PROXY: optionalString,
  CONTACT_CENTER_SECRET: optionalString,
  OTKLIK_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  OTKLIK_METRICS_TOKEN: optionalString,
  OTKLIK_METRICS_PUBLIC: flag,

  // Workflow (workflow/): login throttling and deadline reminders.
  OTKLIK_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  OTKLIK_LOGIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).default(20),
  OTKLIK_LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(1).default(50),
  OTKLIK_LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  OTKLIK_REMINDER_DAYS: z.string().regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'comma-separated whole days, e.g. 3,1').default('3,1'),
  // Staff alerts by e-mail/Telegram are grouped: at most one message per user per this many minutes.
  OTKLIK_STAFF_ALERT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(5),
  OTKLIK_INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),

  // Channels (ingest/): a channel whose settings are absent stays off and says so in /healthz.
  VK_CALLBACK_CONFIRMATION: optionalString,
  VK_CALLBACK_SECRET: optionalString,
  VK_GROUP_TOKEN: optionalString,
  VK_GROUP_IDS: optionalString,
  VK_LONG_POLL: flag,
  VK_SERVICE_TOKEN: optionalString,
  VK_SEARCH_KEYWORDS: optionalString,
  VK_SEARCH_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(300),
  VK_API_BASE_URL: z.url().default('https://api.vk.ru/method'),
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString,
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  MAX_BOT_TOKEN: optionalString,
  MAX_WEBHOOK_SECRET: optionalString,
  MAX_API_BASE_URL: z.url().default('https://platform-api2.max.ru'),
  OK_GROUPS: optionalString,
  OK_WEBHOOK_SECRET: optionalString,
  OK_APPLICATION_KEY: optionalString,
  OK_APPLICATION_SECRET_KEY: optionalString,
  OK_ACCESS_TOKEN: optionalString,
  OK_COMMENTS_INTERVAL_SECONDS: z.coerce.number().int().min(30).default(300),
  OK_API_BASE_URL: z.url().default('https://api.ok.ru'),
  WIDGET_ALLOWED_ORIGINS: optionalString,
  WIDGET_IP_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(20),
  WIDGET_CONTACT_LIMIT_PER_DAY: z.coerce.number().int().min(1).default(10),

  // Citizens' e-mail and SMS (ingest/email, ingest/sms): without them both run in development mode (logged, not sent).
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: 'an smtp:// or smtps:// URL' }).optional()),
  OTKLIK_MAIL_FROM: optionalString,
  SMS_PROVIDER: optionalString.pipe(z.enum(['smsru', 'smsc']).optional()),
  SMS_API_KEY: optionalString,
  SMS_API_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  SMS_SENDER: optionalString,

  // Polls (workflow/polls/): flood limits, voter sessions, burst detection.
  OTKLIK_POLL_IP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  OTKLIK_POLL_CODE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(5),
  OTKLIK_VOTER_TOKEN_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  OTKLIK_POLL_BURST_THRESHOLD: z.coerce.number().int().min(2).default(20),
});

const csv = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /**
   * Only when running as root: PostgreSQL runs as the `postgres` user, which cannot enter root's private directories,
   * so the embedded cluster and a copy of its binaries live in `<postgresSystemDir>/<deployment id>/`.
   */
  postgresSystemDir: string;
  regionConfigPath: string;
  /** Seeds the routing table (version 1) and routing settings when the database has no routing table yet. */
  routingConfigPath: string;
  /** The region's municipalities and settlements, for municipality detection. */
  gazetteerPath: string;
  /** Trained models: category.json.gz (ПОС categories) and complaint.json.gz (complaint/question/other). */
  modelsDir: string;
  /** Training datasets for `npm run train:default` and the evaluation scripts; default ../shared/datasets. */
  datasetsDir?: string;
  queuePrefix: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  redisUrl?: string;
  databaseUrl?: string;
  clickhouse: { url?: string; user?: string; password?: string; database: string };
  /** ClickHouse cluster name (DDL ON CLUSTER, Replicated + Distributed tables) and event retention (0 = forever). */
  analytics: { cluster?: string; eventsTtlDays: number };
  admin: { login: string; password?: string };
  /** Salt for author hashes; when unset, one is generated and kept in PostgreSQL. */
  hashSalt?: string;
  tokenTtlHours: number;
  /**
   * Every cookie carries `Secure`: OTKLIK_SECURE_COOKIES, or OTKLIK_PUBLIC_URL on https. A request that arrived over
   * HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto) gets Secure cookies either way.
   */
  secureCookies: boolean;
  /** Where Otklik is reached from outside, when configured. */
  publicUrl?: string;
  /** Express's `trust proxy`: which hops may set X-Forwarded-For/-Proto (the client IP limits depend on it). */
  trustProxy: boolean | number | string[];
  contactCenterSecret?: string;
  shutdownTimeoutMs: number;
  /** Bearer token for /metrics. Without it /metrics is off (404) unless metricsPublic opens it to anyone. */
  metricsToken?: string;
  metricsPublic: boolean;
  workflow: {
    /** Failed logins per login and IP, per IP across logins, and per login across IPs, within the window. */
    loginMaxFailures: number;
    loginIpMaxFailures: number;
    loginAccountMaxFailures: number;
    loginWindowMinutes: number;
    /** Days before the deadline when the executor and coordinators are reminded. */
    reminderDaysBefore: number[];
    /** Least minutes between two alerts to one staff user (alerts in between are grouped). */
    staffAlertMinutes: number;
    /** How long a staff invitation link works. */
    invitationTtlHours: number;
  };
  vk: {
    /** One code, or `groupId:code` pairs (comma-separated) when several communities call back. */
    callbackConfirmation?: string;
    callbackSecret?: string;
    groupToken?: string;
    groupIds: number[];
    /** Bots Long Poll instead of the Callback API webhook. */
    longPoll: boolean;
    serviceToken?: string;
    searchKeywords: string[];
    searchIntervalSeconds: number;
    apiBaseUrl: string;
  };
  telegram: { botToken?: string; webhookSecret?: string; apiRoot: string };
  /** The MAX bot: a webhook subscribed by itself when publicUrl is set (webhookSecret then required), long polling otherwise. */
  max: { botToken?: string; webhookSecret?: string; apiBaseUrl: string };
  ok: {
    /** The region's official groups, with the group's Bot API key where messages to the group are taken and answered. */
    groups: { id: string; token?: string }[];
    /** The secret path segment of the group messages webhook (OK signs nothing it posts). */
    webhookSecret?: string;
    /** An OK application and a group administrator's token for the REST API (comments under the groups' posts). */
    applicationKey?: string;
    applicationSecretKey?: string;
    accessToken?: string;
    commentsIntervalSeconds: number;
    /** Serves both the Graph API (`/graph/me/...`) and the REST API (`/fb.do`). */
    apiBaseUrl: string;
  };
  widget: { allowedOrigins: string[]; ipLimitPerHour: number; contactLimitPerDay: number };
  /** Outgoing e-mail: an SMTP server (smtp:// or smtps:// with credentials) and the sender address; absent = development mode. */
  mail: { smtpUrl?: string; from: string };
  /** Outgoing SMS through one provider's HTTP API (ingest/sms/); absent = development mode. */
  sms: { provider?: SmsProvider; apiKey?: string; baseUrl: string; sender?: string };
  /** Polls: requests per client IP per minute, codes per phone/e-mail per hour, voter token lifetime, burst size. */
  polls: { ipPerMinute: number; codesPerHour: number; voterTokenTtlMinutes: number; burstThreshold: number };
}

export class ConfigError extends Error {}

/** Parses the environment once at boot. Nothing else in the code reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.OTKLIK_DATA_DIR),
    postgresSystemDir: path.resolve(e.OTKLIK_POSTGRES_SYSTEM_DIR),
    regionConfigPath: path.resolve(e.OTKLIK_REGION_CONFIG),
    routingConfigPath: path.resolve(e.OTKLIK_ROUTING_CONFIG),
    gazetteerPath: path.resolve(e.OTKLIK_GAZETTEER),
    modelsDir: path.resolve(e.OTKLIK_MODELS_DIR),
    datasetsDir: e.OTKLIK_DATASETS ? path.resolve(e.OTKLIK_DATASETS) : undefined,
    queuePrefix: e.OTKLIK_QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      user: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
    },
    analytics: { cluster: e.CLICKHOUSE_CLUSTER, eventsTtlDays: e.OTKLIK_EVENTS_TTL_DAYS },
    admin: { login: e.OTKLIK_ADMIN_LOGIN, password: e.OTKLIK_ADMIN_PASSWORD },
    hashSalt: e.OTKLIK_HASH_SALT,
    tokenTtlHours: e.OTKLIK_TOKEN_TTL_HOURS,
    secureCookies: e.OTKLIK_SECURE_COOKIES || e.OTKLIK_PUBLIC_URL?.startsWith('https:') === true,
    publicUrl: e.OTKLIK_PUBLIC_URL?.replace(/(?<!\/)\/+$/, ''),
    trustProxy: parseTrustProxy(e.OTKLIK_TRUST_PROXY),
    contactCenterSecret: e.CONTACT_CENTER_SECRET,
    shutdownTimeoutMs: e.OTKLIK_SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.OTKLIK_METRICS_TOKEN,
    metricsPublic: e.OTKLIK_METRICS_PUBLIC,
    workflow: {
      loginMaxFailures: e.OTKLIK_LOGIN_MAX_FAILURES,
      loginIpMaxFailures: e.OTKLIK_LOGIN_IP_MAX_FAILURES,
      loginAccountMaxFailures: e.OTKLIK_LOGIN_ACCOUNT_MAX_FAILURES,
      loginWindowMinutes: e.OTKLIK_LOGIN_WINDOW_MINUTES,
      reminderDaysBefore: [...new Set(e.OTKLIK_REMINDER_DAYS.split(',').map((d) => Number(d.trim())).filter((d) => d > 0))].sort((a, b) => b - a),
      staffAlertMinutes: e.OTKLIK_STAFF_ALERT_MINUTES,
      invitationTtlHours: e.OTKLIK_INVITATION_TTL_HOURS,
    },
    vk: {
      callbackConfirmation: e.VK_CALLBACK_CONFIRMATION,
      callbackSecret: e.VK_CALLBACK_SECRET,
      groupToken: e.VK_GROUP_TOKEN,
      groupIds: csv(e.VK_GROUP_IDS).map((x) => Math.abs(Number(x))).filter((x) => Number.isInteger(x) && x > 0),
      longPoll: e.VK_LONG_POLL,
      serviceToken: e.VK_SERVICE_TOKEN,
      searchKeywords: csv(e.VK_SEARCH_KEYWORDS),
      searchIntervalSeconds: e.VK_SEARCH_INTERVAL_SECONDS,
      apiBaseUrl: e.VK_API_BASE_URL.replace(/(?<!\/)\/+$/, ''),
    },
    telegram: { botToken: e.TELEGRAM_BOT_TOKEN, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET, apiRoot: e.TELEGRAM_API_ROOT.replace(/(?<!\/)\/+$/, '') },
    max: { botToken: e.MAX_BOT_TOKEN, webhookSecret: e.MAX_WEBHOOK_SECRET, apiBaseUrl: e.MAX_API_BASE_URL.replace(/(?<!\/)\/+$/, '') },
    ok: okConfig(e),
    widget: {
      allowedOrigins: csv(e.WIDGET_ALLOWED_ORIGINS).map((o) => o.replace(/(?<!\/)\/+$/, '')),
      ipLimitPerHour: e.WIDGET_IP_LIMIT_PER_HOUR,
      contactLimitPerDay: e.WIDGET_CONTACT_LIMIT_PER_DAY,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.OTKLIK_MAIL_FROM ?? defaultMailFrom(e.SMTP_URL, e.OTKLIK_PUBLIC_URL) },
    sms: smsConfig(e),
    polls: {
      ipPerMinute: e.OTKLIK_POLL_IP_LIMIT_PER_MINUTE,
      codesPerHour: e.OTKLIK_POLL_CODE_LIMIT_PER_HOUR,
      voterTokenTtlMinutes: e.OTKLIK_VOTER_TOKEN_TTL_MINUTES,
      burstThreshold: e.OTKLIK_POLL_BURST_THRESHOLD,
    },
  };
}

/** Without OTKLIK_MAIL_FROM: a no-reply address at the public host (or the SMTP server's host). */
function defaultMailFrom(smtpUrl: string | undefined, publicUrl: string | undefined): string {
  const host = publicUrl ? new URL(publicUrl).hostname : smtpUrl ? new URL(smtpUrl).hostname : 'localhost';
  return `Отклик <noreply@${host}>`;
}

/** Одноклассники: the groups with their keys, the webhook secret, the REST API keys for comments. */
function okConfig(e: z.infer<typeof envSchema>): Config['ok'] {
  return {
    groups: parseOkGroups(e.OK_GROUPS),
    webhookSecret: e.OK_WEBHOOK_SECRET,
    applicationKey: e.OK_APPLICATION_KEY,
    applicationSecretKey: e.OK_APPLICATION_SECRET_KEY,
    accessToken: e.OK_ACCESS_TOKEN,
    commentsIntervalSeconds: e.OK_COMMENTS_INTERVAL_SECONDS,
    apiBaseUrl: e.OK_API_BASE_URL.replace(/(?<!\/)\/+$/, ''),
  };
}

export type SmsProvider = 'smsru' | 'smsc';
/** Each built-in provider's API root, unless SMS_API_BASE_URL names another (a reserve server, a local fake). */
const SMS_API_ROOTS: Record<SmsProvider, string> = { smsru: 'https://sms.ru', smsc: 'https://smsc.ru' };

/** An API key without a provider means SMS.ru, the first provider built in; a provider without its key is an error. */
function smsConfig(e: z.infer<typeof envSchema>): Config['sms'] {
  const provider = e.SMS_PROVIDER ?? (e.SMS_API_KEY ? 'smsru' : undefined);
  if (provider && !e.SMS_API_KEY) throw new ConfigError(`SMS_PROVIDER=${provider} needs SMS_API_KEY (the provider's API key)`);
  const baseUrl = e.SMS_API_BASE_URL ?? SMS_API_ROOTS[provider ?? 'smsru'];
  return { provider, apiKey: e.SMS_API_KEY, baseUrl: baseUrl.replace(/(?<!\/)\/+$/, ''), sender: e.SMS_SENDER };
}

/**
 * OK_GROUPS: `groupId` or `groupId:token`, comma-separated. The token is the group's Bot API key (OK's keys contain
 * colons themselves, so only the first colon separates).
 */
export function parseOkGroups(value: string | undefined): { id: string; token?: string }[] {
  return csv(value).map((entry) => {
    const colon = entry.indexOf(':');
    const id = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    const token = colon < 0 ? undefined : entry.slice(colon + 1).trim() || undefined;
    if (!/^\d{1,30}$/.test(id)) throw new ConfigError(`OK_GROUPS: "${id}" is not a numeric group id (expected groupId or groupId:token, comma-separated)`);
    return { id, token };
  });
}

/**
 * OTKLIK_TRUST_PROXY: unset = loopback only (a proxy on the same machine); a number = that many proxy hops;
 * `true` = any hop (only when nothing but the proxy can reach the port); otherwise addresses, subnets or Express's
 * names (`loopback`, `linklocal`, `uniquelocal`), comma-separated.
 */
export function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false' || value === '0') return value === undefined ? ['loopback'] : false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return csv(value);
}

/** Env names the config understands; the docker-compose test checks the compose file against this list. */
export const CONFIG_ENV_NAMES = Object.keys(envSchema.shape);

export function parseRoles(value: string | undefined): Role[] {
  if (!value || value.trim() === '' || value === 'all') return [...ROLES];
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown role(s): ${unknown.join(', ')}. Known roles: ${ROLES.join(', ')}`);
  }
  return [...new Set(roles)] as Role[];
}
