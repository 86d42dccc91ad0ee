import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * The salt of author hashes. A configured one wins; otherwise one is generated on first start and kept in
 * PostgreSQL so every process and every restart hashes the same author the same way.
 */
export async function loadOrCreateSalt(db: pg.Pool, configured?: string): Promise<string> {
  if (configured) return configured;
  await db.query(`insert into settings (key, value) values ('author_hash_salt', $1) on conflict (key) do nothing`, [randomBytes(32).toString('hex')]);
  const r = await db.query<{ value: string }>(`select value from settings where key = 'author_hash_salt'`);
  return r.rows[0]!.value;
}
