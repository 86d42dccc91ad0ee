/**
 * Public endpoints that take storms (votes: thousands of requests a second), answered in front of Express's
 * middleware stack. A vote through helmet's dozen middlewares, the metrics hook, every router's path matching and
 * the body parser cost the main thread more than the vote itself (bench votes profile: router, express,
 * body-parser, helmet and their garbage about a third of the thread); here the same checks are done once, flat.
 * The route is also registered the ordinary way, which serves whatever the hot path hands on (other encodings and
 * content types).
 */
import type http from 'node:http';
import type express from 'express';
import type { Request, Response } from 'express';
import { clientDataError } from './data-errors.js';
import type { Logger } from './logger.js';
import { findNul, NUL_MESSAGE } from './nul.js';
import { withSecureFlag } from './secure-cookies.js';

export interface HotAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface HotRoute {
  method: 'POST';
  /** Express-style (`/api/v1/public/polls/:id/votes`): what is matched, and the metrics label. */
  path: string;
  /** Largest body accepted, in bytes. */
  bodyLimit: number;
  /** Headers that depend on the request (CORS for allowed sites); none when it returns undefined. */
  headers?: (req: Request) => Record<string, string> | undefined;
  /** The answer to a request whose JSON body was read, parsed and found free of U+0000; refusals are answers too. */
  handle(req: Request, params: Record<string, string>, body: unknown): Promise<HotAnswer>;
}

/** An Express-style path as an anchored pattern: literal segments escaped, each `:name` one segment. */
export function compilePath(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.split('/').map((part) => {
    if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(part.slice(1));
    return '([^/]+)';
  }).join('/');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), names };
}

/** Reads a body of at most `limit` bytes; resolves undefined after calling `refuse` when it is larger. */
function readBody(req: Request, limit: number, refuse: () => void): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        refuse();
        return resolve(undefined);
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      refused = true;
      resolve(undefined);
    });
    req.on('end', () => {
      if (!refused) resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8'));
    });
  });
}

type Compiled = { route: HotRoute; pattern: RegExp; names: string[] };

/** The hot route and path parameters of a plain UTF-8 JSON POST, or undefined for anything the app should answer. */
function matchHot(compiled: Compiled[], incoming: http.IncomingMessage): { hit: Compiled; values: RegExpExecArray } | undefined {
  if (incoming.method !== 'POST') return undefined;
  const url = incoming.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  for (const c of compiled) {
    const values = c.pattern.exec(path);
    if (!values) continue;
    const type = incoming.headers['content-type'] ?? '';
    const encoding = incoming.headers['content-encoding'];
    if ((encoding && encoding !== 'identity') || !/^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(type)) return undefined;
    return { hit: c, values };
  }
  return undefined;
}

/**
 * Answers the request when it is for a hot route and returns true; otherwise (or when the request is not plain JSON
 * in UTF-8: compressed bodies, other types and charsets, whose body parser answers them as it answers every route)
 * returns false and leaves it untouched for the app.
 */
export function hotRouteDispatcher(app: express.Express, routes: HotRoute[], opts: {
  logger: Logger;
  securityHeaders: Record<string, string>;
  /** Mark every cookie Secure (lib/http.ts secureCookies), as for a request that came over HTTPS. */
  secureCookies: boolean;
  observe?: (route: HotRoute, status: number) => void;
}) {
  const compiled = routes.map((route) => ({ route, ...compilePath(route.path) }));
  const send = (req: Request, res: Response, route: HotRoute, answer: HotAnswer) => {
    const payload = JSON.stringify(answer.body);
    const cookie = answer.headers?.['set-cookie'];
    if (cookie && (opts.secureCookies || req.secure)) answer = { ...answer, headers: { ...answer.headers, 'set-cookie': withSecureFlag(cookie) } };
    res.writeHead(answer.status, {
      ...opts.securityHeaders,
      ...route.headers?.(req),
      ...answer.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
    opts.observe?.(route, answer.status);
  };
  return (incoming: http.IncomingMessage, outgoing: http.ServerResponse): boolean => {
    const matched = matchHot(compiled, incoming);
    if (!matched) return false;
    // What Express does before its router: its request and response prototypes (req.ip with the app's trust proxy
    // setting, req.get, res.json), and nothing else.
    Object.setPrototypeOf(incoming, app.request);
    Object.setPrototypeOf(outgoing, app.response);
    const req = incoming as Request;
    const res = outgoing as Response;
    (req as { res?: Response }).res = res;
    (res as { req?: Request }).req = req;
    const { route, names } = matched.hit;
    const fail = (status: number, error: string) => {
      req.resume();
      send(req, res, route, { status, body: { error } });
    };
    if (Number(req.headers['content-length'] ?? 0) > route.bodyLimit) {
      fail(413, 'request body is too large');
      return true;
    }
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => (params[name] = decodeURIComponent(matched.values[i + 1]!)));
    } catch {
      fail(400, 'path is not valid');
      return true;
    }
    void readBody(req, route.bodyLimit, () => fail(413, 'request body is too large')).then((text) => {
      if (text === undefined) return;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return fail(400, 'body is not valid JSON');
      }
      // JSON can only carry U+0000 escaped, so the walk is needed only when the text holds an escape of it.
      const nul = text.includes('u0000') ? findNul(body, 'body') : undefined;
      if (nul) return fail(400, `invalid input: ${nul} ${NUL_MESSAGE}`);
      route.handle(req, params, body).then((answer) => send(req, res, route, answer), (err: Error) => {
        const invalid = clientDataError(err);
        if (invalid) {
          opts.logger.warn({ code: invalid.code, path: route.path }, 'request input refused by PostgreSQL');
          return send(req, res, route, { status: 400, body: { error: invalid.message } });
        }
        opts.logger.error({ err: err?.message, path: route.path }, 'request failed');
        send(req, res, route, { status: 500, body: { error: 'internal error' } });
      });
    });
    return true;
  };
}
