import { backoffMs, rateLimitOf, sleep } from '../backoff.js';

/** Calls the Bot API, waiting out 429 `retry_after` and brief network failures instead of losing the reply. */
export async function withTelegramRetry<T>(fn: () => Promise<T>, attempts = 4, signal?: AbortSignal): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await fn();
    } catch (err) {
      const limited = rateLimitOf(err);
      const code = (err as { code?: unknown }).code;
      const network = typeof code === 'string' || (err as Error).name === 'FetchError' || (err as Error).name === 'TypeError';
      if (i >= attempts || (limited === undefined && !network)) throw err;
      await sleep(limited ?? backoffMs(i, 300, 5000), signal);
    }
  }
}
