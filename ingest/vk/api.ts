import http from 'node:http';
import https from 'node:https';
import { API } from 'vk-io';

export interface VkApiOptions {
  token: string;
  apiBaseUrl: string;
  /** Requests per second: 20 for a community token, 3 for a service/user token (VK answers error 6 above). */
  perSecond: number;
  /** Pause between retries of a failed request (vk-io's apiWait); tests shorten it. */
  retryWaitMs?: number;
}

/**
 * vk-io's API client: it paces requests to `perSecond`, and on error 6 pauses and re-queues the request itself,
 * so a rate limit slows the adapter down instead of losing the call.
 */
export function createVkApi(o: VkApiOptions): API {
  const agent = o.apiBaseUrl.startsWith('https:') ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return new API({
    token: o.token,
    apiBaseUrl: o.apiBaseUrl,
    agent: agent as https.Agent,
    apiLimit: o.perSecond,
    apiWait: o.retryWaitMs ?? 3000,
    apiRetryLimit: 3,
    apiTimeout: 35_000,
  });
}
