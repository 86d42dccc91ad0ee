/**
 * The one transaction helper: every multi-statement change runs inside `withTransaction`, which commits when `fn`
 * resolves and rolls back when it throws. A refusal that is a value (`{ ok: false }`) commits whatever `fn` wrote,
 * so callers refuse before they write.
 */
import type pg from 'pg';

export async function withTransaction<T>(db: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  // A connection whose rollback failed is in an unknown state: it is closed rather than returned to the pool.
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const out = await fn(client);
    await client.query('commit');
    return out;
  } catch (err) {
    await client.query('rollback').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
