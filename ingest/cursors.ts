import type pg from 'pg';

/** Poller positions kept in PostgreSQL, so a restart resumes where the last enqueued item left off. */
export interface CursorStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export function createCursorStore(db: pg.Pool): CursorStore {
  return {
    async get<T>(key: string) {
      const r = await db.query<{ value: T }>('select value from ingest_cursors where key = $1', [key]);
      return r.rows[0]?.value;
    },
    async set(key, value) {
      await db.query(
        `insert into ingest_cursors (key, value, updated_at) values ($1, $2, now())
         on conflict (key) do update set value = excluded.value, updated_at = now()`,
        [key, JSON.stringify(value)],
      );
    },
  };
}
