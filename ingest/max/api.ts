/**
 * The MAX Bot API through the official SDK (@maxhub/max-bot-api): its `Api` client speaks the protocol (base URL,
 * `Authorization: <token>`, JSON bodies, `{code, message}` errors as MaxError). Around it, what a busy region needs:
 * one pace for every call of the process (MAX allows 30 requests per second per bot), a timeout on every request,
 * and errors sorted into "slow down", "try again" and "never again".
 */
import { Bot, MaxError, type Api } from '@maxhub/max-bot-api';
import { backoffMs, createPacer, RateLimitedError, sleep } from '../backoff.js';

/** MAX's limit per bot; calls beyond it answer 429. */
export const MAX_REQUESTS_PER_SECOND = 30;

/** Long polling holds a request for up to 90 s: every request may take that long, and no longer. */
const REQUEST_TIMEOUT_MS = 100_000;

/** MAX refused the request as addressed or formed (4xx other than 429): repeating it will not help. */
export class MaxRefusedError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`MAX answered ${status} ${code}: ${message}`);
  }
}

/** MAX or the way to it failed (5xx, a dropped connection): worth another try. */
export class MaxUnavailableError extends Error {}

export interface MaxClient {
  /** The SDK's client; call it through `call` so the pace and the error sorting apply. */
  api: Api;
  call<T>(fn: (api: Api) => Promise<T>): Promise<T>;
}

export function createMaxClient(o: { token: string; apiBaseUrl: string; perSecond?: number }): MaxClient {
  const timedFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const api = new Bot(o.token, { clientOptions: { baseUrl: o.apiBaseUrl, fetch: timedFetch } }).api;
  const pace = createPacer(o.perSecond ?? MAX_REQUESTS_PER_SECOND);
  return {
    api,
    async call(fn) {
      await pace();
      try {
        return await fn(api);
      } catch (err) {
        throw sorted(err);
      }
    },
  };
}

function sorted(err: unknown): unknown {
  if (!(err instanceof MaxError)) {
    const name = (err as Error)?.name;
    // fetch fails with TypeError (connection) or a TimeoutError/AbortError of our timeout.
    return name === 'TypeError' || name === 'TimeoutError' ? new MaxUnavailableError(`MAX is unreachable: ${(err as Error).message}`) : err;
  }
  if (err.status === 429) return new RateLimitedError(`MAX rate limit: ${err.description ?? err.message}`, 1000);
  if (err.status >= 500 || err.status === 0) return new MaxUnavailableError(`MAX answered ${err.status}: ${err.description ?? err.message}`);
  return new MaxRefusedError(err.status, String(err.code ?? ''), String(err.description ?? err.message));
}

/** Retries what is worth retrying (a rate limit after its pause, an outage with backoff); the rest throws at once. */
export async function withMaxRetry<T>(fn: () => Promise<T>, attempts = 4, signal?: AbortSignal): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = err instanceof RateLimitedError || err instanceof MaxUnavailableError;
      if (i >= attempts || !retryable || signal?.aborted) throw err;
      await sleep(err instanceof RateLimitedError ? err.retryAfterMs : backoffMs(i, 300, 5000), signal);
    }
  }
}
