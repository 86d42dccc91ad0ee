import type { Logger } from '../lib/logger.js';
import type { NetworkSource } from '../lib/sources.js';
import { backoffMs, sleep } from './backoff.js';
import type { StatsStore } from './stats.js';

export interface PollLoop {
  network: NetworkSource;
  stats: Pick<StatsStore, 'failed'>;
  log: Logger;
  /** What is polled, for the log line of a failure (`Telegram polling`). */
  what: string;
  /** The network's own pause after a failure (its rate-limit hint), when it gives one; else the exponential backoff. */
  retryAfter?: (err: unknown) => number | undefined;
}

/**
 * Polls a network until `signal` aborts: `poll` makes one request and handles what it brings (saving its cursor). A
 * failure is counted and waited out, longer after each failure in a row; a poll that succeeds starts the count again.
 * `poll` answers `'again'` when the network asked to start over without a failure (VK's `failed`): the count stands.
 */
export async function pollUntilAborted(loop: PollLoop, signal: AbortSignal, poll: () => Promise<void | 'again'>): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      if ((await poll()) !== 'again') failures = 0;
    } catch (err) {
      if (signal.aborted) break;
      failures++;
      await loop.stats.failed(loop.network);
      const wait = loop.retryAfter?.(err) ?? backoffMs(failures);
      loop.log.warn({ err: (err as Error).message, retryInMs: wait }, `${loop.what} failed; backing off`);
      await sleep(wait, signal);
    }
  }
}
