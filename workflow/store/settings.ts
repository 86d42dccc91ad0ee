/**
 * `region_settings` and its version: the channel and region settings administrators set in the UI (lib/settings.ts
 * says what they are). Secrets are sealed at rest and never read back out of this module except for the processes
 * that use them.
 */
import type pg from 'pg';
import type { Sealer } from '../../lib/seal.js';
import type { StoredSettings } from '../../lib/settings.js';
import { withTransaction } from '../../lib/transaction.js';
import { recordAudit } from './audit.js';
import type { Sql } from './sql.js';

const SEAL_CONTEXT = (key: string) => `region-setting:${key}`;

export async function settingsVersion(sql: Sql): Promise<number> {
  const r = await sql.query<{ version: string }>('select version::text as version from region_settings_version where id');
  return Number(r.rows[0]?.version ?? 0);
}

export interface SettingRow {
  key: string;
  secret: boolean;
  updatedAt: Date;
  updatedBy: string;
  updatedByName: string | null;
}

/** Every stored setting, secrets opened: for the processes that apply them (main.ts), never for a response. */
export async function readSettings(sql: Sql, sealer: Sealer): Promise<StoredSettings> {
  const r = await sql.query<{ key: string; value: unknown; secret: boolean }>('select key, value, secret from region_settings');
  return Object.fromEntries(r.rows.map((x) => [x.key, x.secret ? sealer.open(String(x.value), SEAL_CONTEXT(x.key)) : x.value]));
}

/** What the settings pages show: non-secret values, and for secrets only that they are set. */
export async function describeSettings(sql: Sql): Promise<{ values: StoredSettings; rows: SettingRow[] }> {
  const r = await sql.query<{ key: string; value: unknown; secret: boolean; updatedAt: Date; updatedBy: string; updatedByName: string | null }>(
    `select s.key, s.value, s.secret, s.updated_at as "updatedAt", s.updated_by as "updatedBy", u.display_name as "updatedByName"
       from region_settings s left join users u on u.id::text = s.updated_by order by s.key`,
  );
  return {
    values: Object.fromEntries(r.rows.filter((x) => !x.secret).map((x) => [x.key, x.value])),
    rows: r.rows.map(({ value: _v, ...row }) => row),
  };
}

export interface SettingChange {
  key: string;
  value: unknown | null;
  secret: boolean;
}

/**
 * Sets (or, with null, removes) settings in one transaction with an audit entry each, and moves the version every
 * process polls. Secret values go into the audit log only as «set» / «removed».
 */
export async function saveSettings(db: pg.Pool, sealer: Sealer, actor: string, changes: SettingChange[], now = new Date()): Promise<number> {
  return withTransaction(db, async (sql) => {
    for (const c of changes) {
      const before = await sql.query<{ value: unknown }>('select value from region_settings where key = $1 for update', [c.key]);
      const had = (before.rowCount ?? 0) > 0;
      if (c.value === null) {
        if (!had) continue;
        await sql.query('delete from region_settings where key = $1', [c.key]);
      } else {
        const stored = c.secret ? JSON.stringify(sealer.seal(c.value, SEAL_CONTEXT(c.key))) : JSON.stringify(c.value);
        await sql.query(
          `insert into region_settings (key, value, secret, updated_at, updated_by) values ($1, $2, $3, $4, $5)
           on conflict (key) do update set value = excluded.value, secret = excluded.secret, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          [c.key, stored, c.secret, now, actor],
        );
      }
      const shown = (v: unknown) => (c.secret ? (v === null || v === undefined ? null : '(секрет)') : v);
      await recordAudit(sql, { actor, entity: 'settings', entityId: c.key, action: c.value === null ? 'removed' : 'set',
        changes: { from: had ? shown(before.rows[0]!.value) : null, to: shown(c.value) } }, now);
    }
    const v = await sql.query<{ version: string }>('update region_settings_version set version = version + 1 where id returning version::text as version');
    return Number(v.rows[0]!.version);
  });
}
