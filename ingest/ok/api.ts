/**
 * Одноклассники's two APIs (apiok.ru), spoken over plain HTTP (there is no official Node client):
 * - the Graph API of group messages ("Bot API для групп"): `POST {base}/graph/me/<path>?access_token=<group key>`
 *   with a JSON body (Content-Type application/json;charset=utf-8), answering JSON or `{error_code, error_msg}`;
 * - the REST API: `{base}/fb.do` with `method`, `application_key`, `format=json`, the method's parameters, `sig` and
 *   `access_token`. `sig = md5(the parameters without session_key/access_token, sorted by name, joined as
 *   name=value, + md5(access_token + application_secret_key))`, lower-case hex (apiok.ru/dev/methods, "Расчет
 *   подписи запроса"). Errors come back with HTTP 200 as `{error_code, error_msg}`.
 */
import { createHash } from 'node:crypto';
import { createPacer, RateLimitedError } from '../backoff.js';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** The REST signature for a call in a session (a group administrator's access token). */
export function okSignature(params: Record<string, string>, accessToken: string, applicationSecretKey: string): string {
  const secret = md5(accessToken + applicationSecretKey);
  const base = Object.keys(params).filter((k) => k !== 'access_token' && k !== 'session_key' && k !== 'sig').sort()
    .map((k) => `${k}=${params[k]}`).join('');
  return md5(base + secret);
}

/** OK refused the call as made (a wrong parameter, no permission, a deleted topic): repeating it will not help. */
export class OkRefusedError extends Error {
  constructor(readonly code: number, message: string) {
    super(`OK error ${code}: ${message}`);
  }
}

/** OK or the way to it failed: worth another try. */
export class OkUnavailableError extends Error {}

/** error_code 1 UNKNOWN and 2 SERVICE are OK's own failures; 8 FLOOD_BLOCKED asks to slow down. */
function okError(body: { error_code?: unknown; error_msg?: unknown }): Error {
  const code = Number(body.error_code);
  const msg = String(body.error_msg ?? 'no message');
  if (code === 8) return new RateLimitedError(`OK flood control: ${msg}`, 5000);
  if (code === 1 || code === 2) return new OkUnavailableError(`OK error ${code}: ${msg}`);
  return new OkRefusedError(code, msg);
}

async function readJson(res: Response, what: string): Promise<unknown> {
  if (res.status === 429) throw new RateLimitedError(`OK ${what}: HTTP 429`, 5000);
  if (res.status >= 500) throw new OkUnavailableError(`OK ${what}: HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new OkUnavailableError(`OK ${what}: HTTP ${res.status} without JSON`);
  }
  if (body && typeof body === 'object' && 'error_code' in body) throw okError(body as { error_code?: unknown; error_msg?: unknown });
  if (res.status >= 400) throw new OkRefusedError(res.status, `${what}: HTTP ${res.status}`);
  return body;
}

const REQUEST_TIMEOUT_MS = 30_000;

async function fetchOk(url: string, init: RequestInit, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new OkUnavailableError(`OK ${what}: ${(err as Error).message}`);
  }
  return readJson(res, what);
}

export interface OkRestCredentials {
  applicationKey: string;
  applicationSecretKey: string;
  accessToken: string;
}

export interface OkClient {
  /** A REST method (`group.getStatTopics`, `discussions.getComments`, …) with the administrator's session; undefined without one. */
  rest?: (method: string, params: Record<string, string>) => Promise<unknown>;
  /** A Graph API POST on behalf of a group, with its Bot API key. */
  graph(token: string, path: string, body: unknown): Promise<unknown>;
}

/** OK publishes no rate; these keep one process well below what a busy group needs. */
const REST_PER_SECOND = 3;
const GRAPH_PER_SECOND = 10;

export function createOkClient(o: { apiBaseUrl: string; rest?: OkRestCredentials }): OkClient {
  const paceRest = createPacer(REST_PER_SECOND);
  const paceGraph = createPacer(GRAPH_PER_SECOND);
  const creds = o.rest;
  return {
    rest: creds
      ? async (method, params) => {
        await paceRest();
        const signed: Record<string, string> = { ...params, method, application_key: creds.applicationKey, format: 'json' };
        signed.sig = okSignature(signed, creds.accessToken, creds.applicationSecretKey);
        signed.access_token = creds.accessToken;
        return fetchOk(`${o.apiBaseUrl}/fb.do`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(signed).toString(),
        }, method);
      }
      : undefined,
    async graph(token, path, body) {
      await paceGraph();
      return fetchOk(`${o.apiBaseUrl}/graph/${path}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=utf-8' },
        body: JSON.stringify(body),
      }, path.split('/').slice(0, 2).join('/'));
    },
  };
}
