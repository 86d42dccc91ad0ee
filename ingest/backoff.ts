/** Waits `ms`, or less when `signal` aborts (pollers stop promptly on shutdown). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Spaces calls `1000 / perSecond` ms apart, in the order they asked: one process keeps under a network's rate. */
export function createPacer(perSecond: number): () => Promise<void> {
  const gapMs = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = Date.now();
    const slot = Math.max(now, next);
    next = slot + gapMs;
    if (slot > now) await sleep(slot - now);
  };
}

/** Exponential backoff with jitter, capped: 1st failure → ~base, then doubling. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 60_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** A network said "slow down"; `retryAfterMs` is its own hint when it gave one. */
export class RateLimitedError extends Error {
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** Telegram answers 429 with `parameters.retry_after` (seconds); VK has error 6 without a hint. */
export function rateLimitOf(err: unknown): number | undefined {
  const e = err as { code?: number; response?: { error_code?: number; parameters?: { retry_after?: number } }; parameters?: { retry_after?: number } };
  if (err instanceof RateLimitedError) return err.retryAfterMs;
  if (e?.code === 429 || e?.response?.error_code === 429) {
    const s = e.response?.parameters?.retry_after ?? e.parameters?.retry_after ?? 1;
    return Math.max(1, s) * 1000;
  }
  if (e?.code === 6) return 1000;
  return undefined;
}
