import { createHash } from 'node:crypto';
import type { Logger } from '../lib/logger.js';

export interface BatcherOptions<Row> {
  /** Writes one batch; `token` identifies the batch so a retried insert of the same rows can be deduplicated. */
  insert(rows: Row[], token: string): Promise<unknown>;
  /** Identity of a row, used to build the batch token. */
  rowKey(row: Row): string;
  maxRows?: number;
  intervalMs?: number;
  /** Attempts per batch before its callers are told it failed (they retry later through the queue). */
  attempts?: number;
  backoffMs?: number;
  logger?: Logger;
}

export interface Batcher<Row> {
  /** Resolves once the rows are written, so a queue job completes only after its events are stored. */
  add(rows: Row[]): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly pending: number;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The one batcher for ClickHouse writes: flushes on size or interval, retries a failed batch with backoff, and
 * flushes what it holds on close. ClickHouse wants few large inserts (about one a second), not many small ones.
 */
export function createBatcher<Row>(opts: BatcherOptions<Row>): Batcher<Row> {
  const maxRows = opts.maxRows ?? 10_000;
  const intervalMs = opts.intervalMs ?? 1000;
  const attempts = opts.attempts ?? 5;
  const backoffMs = opts.backoffMs ?? 200;
  let rows: Row[] = [];
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (!timer) timer = setTimeout(() => void flush(), intervalMs);
  };

  async function write(batch: Row[], batchWaiters: Waiter[]) {
    const token = createHash('sha256').update(batch.map(opts.rowKey).join('\n')).digest('hex');
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await opts.insert(batch, token);
        batchWaiters.forEach((w) => w.resolve());
        return;
      } catch (err) {
        lastError = err as Error;
        opts.logger?.warn({ attempt, rows: batch.length, err: lastError.message }, 'batch insert failed');
        if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
      }
    }
    batchWaiters.forEach((w) => w.reject(lastError!));
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (rows.length === 0) return chain;
    const batch = rows;
    const batchWaiters = waiters;
    rows = [];
    waiters = [];
    // Batches are written one after another so inserts stay few and ordered.
    chain = chain.then(() => write(batch, batchWaiters));
    return chain;
  }

  return {
    add(newRows: Row[]): Promise<void> {
      if (closed) return Promise.reject(new Error('batcher is closed'));
      if (newRows.length === 0) return Promise.resolve();
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      rows.push(...newRows);
      if (rows.length >= maxRows) void flush();
      else schedule();
      return done;
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get pending() {
      return rows.length;
    },
  };
}
