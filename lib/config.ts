import path from 'node:path';
import { z } from 'zod';

export const ROLES = ['ingest', 'classify', 'workflow', 'analytics', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const portNumber = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  PORT: portNumber.default(3000),
  HOST: z.string().default('0.0.0.0'),
  OTKLIK_DATA_DIR: z.string().default('./data'),
  OTKLIK_REGION_CONFIG: z.string().default('./config/region.yaml'),
  OTKLIK_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('otklik'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  REDIS_URL: optionalString,
  DATABASE_URL: optionalString,
  CLICKHOUSE_URL: optionalString,
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('otklik'),

  OTKLIK_ADMIN_LOGIN: z.string().min(1).default('admin'),
  OTKLIK_ADMIN_PASSWORD: optionalString,
  OTKLIK_HASH_SALT: optionalString,
  OTKLIK_TOKEN_TTL_HOURS: z.coerce.number().positive().default(12),
  CONTACT_CENTER_SECRET: optionalString,
  OTKLIK_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  regionConfigPath: string;
  queuePrefix: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  redisUrl?: string;
  databaseUrl?: string;
  clickhouse: { url?: string; user?: string; password?: string; database: string };
  admin: { login: string; password?: string };
  /** Salt for author hashes; when unset, one is generated and kept in PostgreSQL. */
  hashSalt?: string;
  tokenTtlHours: number;
  contactCenterSecret?: string;
  shutdownTimeoutMs: number;
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
    regionConfigPath: path.resolve(e.OTKLIK_REGION_CONFIG),
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
    admin: { login: e.OTKLIK_ADMIN_LOGIN, password: e.OTKLIK_ADMIN_PASSWORD },
    hashSalt: e.OTKLIK_HASH_SALT,
    tokenTtlHours: e.OTKLIK_TOKEN_TTL_HOURS,
    contactCenterSecret: e.CONTACT_CENTER_SECRET,
    shutdownTimeoutMs: e.OTKLIK_SHUTDOWN_TIMEOUT_MS,
  };
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
