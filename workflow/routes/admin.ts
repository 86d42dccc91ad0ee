/**
 * The administration API: channel settings and region rules set in the UI (stored over the environment's and the
 * YAML's defaults, secrets write-only), and the audit log of administrators' changes.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import type { Config } from '../../lib/config.js';
import type { Sealer } from '../../lib/seal.js';
import { applyChannelSettings, applyRegionOverride, CHANNEL_SETTINGS, envValueOf, NETWORK_NAMES, REGION_SETTING_KEY, regionOverrideSchema, settingValueSchema,
  type StoredSettings } from '../../lib/settings.js';
import type { AuthUser } from '../auth.js';
import { orgsWithRole } from '../rules.js';
import { listAudit } from '../store/audit.js';
import { describeSettings, readSettings, saveSettings } from '../store/settings.js';
import { isRegionAdmin, page, type RouteDeps } from './common.js';
import { pageOf, timestamp } from './responses.js';

export interface AdminDeps {
  sealer: Sealer;
  /** The configuration from the environment: the defaults the stored settings are laid over. */
  envConfig: Config;
  /** config/region.yaml as read at start: the defaults of the region rules. */
  regionFromFile: Record<string, unknown>;
  /** Told after a change, so this process applies it at once (others notice the version within seconds). */
  onSettingsChanged?: () => void;
}

const regionAdmin = (user: AuthUser) => {
  if (!isRegionAdmin(user)) throw new HttpError(403, 'only a region administrator changes the system settings');
};

const channelSetting = z.object({
  key: z.string(),
  network: z.string(),
  label: z.string(),
  kind: z.enum(['text', 'secret', 'list', 'ids', 'flag']),
  apply: z.enum(['live', 'restart']),
  env: z.string(),
  help: z.string(),
  value: z.unknown().optional().describe('The stored value (never for a secret)'),
  set: z.boolean().describe('Whether the UI set it (stored in the database)'),
  envSet: z.boolean().describe('Whether the environment sets it'),
  envValue: z.unknown().optional().describe("The environment's value (never for a secret)"),
  updatedAt: timestamp.optional(),
  updatedByName: z.string().nullable().optional(),
});
const channelsAnswer = z.object({ networks: z.array(z.object({ id: z.string(), name: z.string() })), settings: z.array(channelSetting) });
const channelsBody = z.object({ values: z.record(z.string(), z.unknown()) });

const regionAnswer = z.object({ fromFile: z.record(z.string(), z.unknown()), override: z.record(z.string(), z.unknown()).nullable(),
  effective: z.record(z.string(), z.unknown()) });

const auditEntry = z.object({ id: z.string(), at: timestamp, actor: z.string(), actorName: z.string().nullable(), entity: z.string(),
  entityId: z.string().nullable(), action: z.string(), changes: z.record(z.string(), z.unknown()) });

/** The VK webhook without its secret would take forged events: refused here as the ingest role refuses to start with it. */
function checkChannels(config: Config): void {
  const vk = config.vk;
  if (vk.callbackConfirmation && !vk.callbackSecret && !(vk.longPoll && vk.groupToken && vk.groupIds.length > 0)) {
    throw new HttpError(400, 'ВКонтакте: вместе с кодом подтверждения Callback API нужен секретный ключ — иначе события мог бы подделать кто угодно');
  }
  // With a public address MAX delivers by webhook, and ingest refuses to start without the webhook's secret.
  if (config.max.botToken && config.publicUrl && !config.max.webhookSecret) {
    throw new HttpError(400, 'MAX: при публичном адресе Отклика нужен секрет вебхука — иначе обновления мог бы подделать кто угодно');
  }
}

async function channelsView(deps: RouteDeps, admin: AdminDeps) {
  const { values, rows } = await describeSettings(deps.db);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return {
    networks: Object.entries(NETWORK_NAMES).map(([id, name]) => ({ id, name })),
    settings: CHANNEL_SETTINGS.map(({ check: _check, ...d }) => {
      const row = byKey.get(d.key);
      const env = envValueOf(admin.envConfig, d.key);
      return { ...d, set: !!row, envSet: env !== undefined, ...(d.kind === 'secret' ? {} : { value: values[d.key], envValue: env }),
        ...(row ? { updatedAt: row.updatedAt, updatedByName: row.updatedByName } : {}) };
    }),
  };
}

function parseChannelValues(values: Record<string, unknown>) {
  return Object.entries(values).map(([key, value]) => {
    const def = CHANNEL_SETTINGS.find((d) => d.key === key);
    if (!def) throw new HttpError(400, `неизвестная настройка: ${key}`);
    if (value === null) return { key, value: null, secret: def.kind === 'secret' };
    const parsed = settingValueSchema(def.kind).safeParse(value);
    if (!parsed.success) throw new HttpError(400, `${def.label}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const wrong = def.check?.(parsed.data);
    if (wrong) throw new HttpError(400, `${def.label}: ${wrong}`);
    return { key, value: parsed.data, secret: def.kind === 'secret' };
  });
}

async function regionView(deps: RouteDeps, admin: AdminDeps) {
  const stored = (await describeSettings(deps.db)).values[REGION_SETTING_KEY] as Record<string, unknown> | undefined;
  return { fromFile: admin.regionFromFile, override: stored ?? null, effective: applyRegionOverride(admin.regionFromFile, stored) };
}

/** A group of settings the UI sets: read as its view, written through PUT (saved and audited), applied at once here. */
interface SettingsGroup<B extends z.ZodType> {
  path: string;
  readSummary: string;
  writeSummary: string;
  body: B;
  response: z.ZodType;
  view: () => Promise<unknown>;
  save: (userId: string, body: z.infer<B>) => Promise<void>;
}

function registerSettingsGroup<B extends z.ZodType>(api: ApiBuilder, admin: AdminDeps, g: SettingsGroup<B>): void {
  const route = { path: g.path, tag: 'administration', roles: 'region administrator', response: g.response, errors: [] };
  api.route({ ...route, method: 'get', summary: g.readSummary }, async ({ user }) => {
    regionAdmin(user);
    return { body: await g.view() };
  });
  api.route({ ...route, method: 'put', summary: g.writeSummary, body: g.body }, async ({ user, body }) => {
    regionAdmin(user);
    await g.save(user.id, body);
    admin.onSettingsChanged?.();
    return { body: await g.view() };
  });
}

function registerSettingsRoutes(api: ApiBuilder, deps: RouteDeps, admin: AdminDeps): void {
  registerSettingsGroup(api, admin, {
    path: '/api/v1/settings/channels',
    readSummary:
      'Channel settings by network: what the UI set, what the environment sets, which apply live and which after a restart. Secrets are never returned.',
    writeSummary: "Set channel settings ({values: {key: value}}; null removes a setting, so the environment's applies again). Each change is audited.",
    body: channelsBody,
    response: channelsAnswer,
    view: () => channelsView(deps, admin),
    save: async (userId, body) => {
      const changes = parseChannelValues(body.values);
      const current: StoredSettings = await readSettings(deps.db, admin.sealer);
      for (const c of changes) current[c.key] = c.value;
      checkChannels(applyChannelSettings(admin.envConfig, current));
      if (changes.length) await saveSettings(deps.db, admin.sealer, userId, changes, deps.now());
    },
  });
  registerSettingsGroup(api, admin, {
    path: '/api/v1/settings/region',
    readSummary: "The region rules (deadlines, fast-tracks, federal services, time zone): the file's, the override set in the UI, and the effective ones.",
    writeSummary:
      "Replace the region rules set in the UI (fields left out keep config/region.yaml's; {} returns to the file). Applies to messages classified from now on; audited.",
    body: regionOverrideSchema,
    response: regionAnswer,
    view: () => regionView(deps, admin),
    save: async (userId, body) => {
      const empty = Object.values(body).every((v) => v === undefined);
      await saveSettings(deps.db, admin.sealer, userId, [{ key: REGION_SETTING_KEY, value: empty ? null : body, secret: false }], deps.now());
    },
  });
}

function registerAuditRoute(api: ApiBuilder, deps: RouteDeps): void {
  api.route({ method: 'get', path: '/api/v1/audit', tag: 'administration',
    roles: 'region administrator: everything; administrator of an organization: that organization (entity=organization&entityId=…)',
    summary: "Administrators' changes, newest first: organizations, staff and roles, settings, polls.",
    query: z.object({ entity: z.enum(['organization', 'user', 'settings', 'poll']).optional(), entityId: z.string().max(200).optional(), ...page }),
    response: pageOf(auditEntry), errors: [] }, async ({ user, query }) => {
    if (!isRegionAdmin(user)) {
      const mine = orgsWithRole(user, ['administrator']);
      if (query.entity !== 'organization' || !query.entityId || !mine.includes(query.entityId)) {
        throw new HttpError(403, 'an organization administrator reads the history of their own organization only');
      }
    }
    const items = await listAudit(deps.db, query);
    return { body: { items, limit: query.limit, offset: query.offset } };
  });
}

export function registerAdminRoutes(api: ApiBuilder, deps: RouteDeps, admin: AdminDeps | undefined): void {
  registerAuditRoute(api, deps);
  if (admin) registerSettingsRoutes(api, deps, admin);
}
