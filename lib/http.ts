import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import pg from 'pg';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export type HealthCheck = () => Promise<boolean>;

/**
 * Where a decoded input holds U+0000, as a path (`body.login`), or undefined. PostgreSQL text cannot store it, so
 * such input must be refused as a client error before it reaches a query, which would otherwise fail with a 500.
 */
export function findNul(value: unknown, at: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return at;
    const found = findNul(v, `${at}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/** What each PostgreSQL data exception (SQLSTATE class 22) says about the input, in the words of a 400. */
const DATA_EXCEPTIONS: Record<string, string> = {
  '22001': 'a text is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time is malformed',
  '22008': 'a date or time is out of range',
  '22009': 'a time zone offset is out of range',
  '22021': 'a text holds a character that cannot be stored',
  '22P02': 'a value is malformed',
};

/**
 * The 400 message for a PostgreSQL data exception (SQLSTATE class 22), or undefined for any other error. Such an
 * error means a value that the request carried passed its schema but not the column or cast it reached: the
 * client's error, not the server's. The schemas should refuse it first (lib/request-schemas.ts); this is the net
 * under them, so a gap answers 400 and is logged as a warning naming the route.
 */
export function clientDataError(err: unknown): string | undefined {
  if (!(err instanceof pg.DatabaseError) || typeof err.code !== 'string' || !err.code.startsWith('22')) return undefined;
  return `invalid input: ${DATA_EXCEPTIONS[err.code] ?? 'a value is out of range or malformed'}`;
}

/** After a body parser: a body holding U+0000 anywhere is a 400 naming where. */
export const refuseNulBody: RequestHandler = (req, res, next) => {
  const at = findNul(req.body, 'body');
  if (at) return void res.status(400).json({ error: `invalid input: ${at} ${NUL_MESSAGE}` });
  next();
};

// Pages load only their own scripts (no inline code), so a strict CSP fits; citizens' text is escaped anyway.
// Resources are cross-origin readable because widget.js and its poll mode run inside other sites' pages
// (CORS still guards every API response).
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
      'upgrade-insecure-requests': null,
    },
  },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
});

/** The headers a middleware sets on every response, taken once (helmet's are the same for every request). */
function headersSetBy(middleware: RequestHandler): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  middleware({ headers: {} } as Request, res as unknown as Response, () => {});
  return headers;
}

/** A Set-Cookie value with `Secure` added where it is missing. */
export function withSecureFlag(cookie: string): string {
  return /;\s*secure\s*(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`;
}

/**
 * Every cookie a response sets is marked Secure when the site is served over HTTPS: always when configured so
 * (OTKLIK_SECURE_COOKIES, an https OTKLIK_PUBLIC_URL), and for a request that came over HTTPS (directly or through a
 * trusted proxy's X-Forwarded-Proto). One place, so no route can forget it.
 */
function secureCookies(always: boolean): RequestHandler {
  return (req, res, next) => {
    if (!always && !req.secure) return next();
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) => {
      if (name.toLowerCase() !== 'set-cookie') return setHeader(name, value);
      return setHeader(name, typeof value === 'number' ? value : typeof value === 'string' ? withSecureFlag(value) : value.map(withSecureFlag));
    };
    next();
  };
}

/** Compares a presented bearer token with the configured one in constant time (digests have equal length). */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface HotAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A public endpoint that takes storms (votes: thousands of requests a second), answered in front of the middleware
 * stack. A vote through helmet's dozen middlewares, the metrics hook, every router's path matching and the body
 * parser cost the main thread more than the vote itself (bench votes profile: router, express, body-parser, helmet
 * and their garbage about a third of the thread); here the same checks are done once, flat. The route is also
 * registered the ordinary way, which serves whatever the hot path hands on (other encodings and content types).
 */
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

/**
 * Answers the request when it is for a hot route and returns true; otherwise (or when the request is not plain JSON
 * in UTF-8: compressed bodies, other types and charsets, whose body parser answers them as it answers every route)
 * returns false and leaves it untouched for the app.
 */
function hotRouteDispatcher(app: express.Express, routes: HotRoute[],
  opts: { logger: Logger; secureCookies: boolean; observe?: (route: HotRoute, status: number) => void }) {
  const compiled = routes.map((route) => ({ route, ...compilePath(route.path) }));
  const security = headersSetBy(securityHeaders);
  const send = (req: Request, res: Response, route: HotRoute, answer: HotAnswer) => {
    const payload = JSON.stringify(answer.body);
    const cookie = answer.headers?.['set-cookie'];
    if (cookie && (opts.secureCookies || req.secure)) answer = { ...answer, headers: { ...answer.headers, 'set-cookie': withSecureFlag(cookie) } };
    res.writeHead(answer.status, {
      ...security, ...route.headers?.(req), ...answer.headers,
      'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
    opts.observe?.(route, answer.status);
  };
  return (incoming: http.IncomingMessage, outgoing: http.ServerResponse): boolean => {
    if (incoming.method !== 'POST') return false;
    const url = incoming.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let values: RegExpExecArray | null = null;
    const hit = compiled.find((c) => (values = c.pattern.exec(path)) !== null);
    if (!hit || !values) return false;
    const type = incoming.headers['content-type'] ?? '';
    const encoding = incoming.headers['content-encoding'];
    if ((encoding && encoding !== 'identity') || !/^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(type)) return false;
    // What Express does before its router: its request and response prototypes (req.ip with the app's trust proxy
    // setting, req.get, res.json), and nothing else.
    Object.setPrototypeOf(incoming, app.request);
    Object.setPrototypeOf(outgoing, app.response);
    const req = incoming as Request;
    const res = outgoing as Response;
    (req as { res?: Response }).res = res;
    (res as { req?: Request }).req = req;
    const { route } = hit;
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
      const matched: RegExpExecArray = values;
      hit.names.forEach((name, i) => (params[name] = decodeURIComponent(matched[i + 1]!)));
    } catch {
      fail(400, 'path is not valid');
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > route.bodyLimit) {
        refused = true;
        return fail(413, 'request body is too large');
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      refused = true;
    });
    req.on('end', () => {
      if (refused) return;
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
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
          opts.logger.warn({ code: (err as pg.DatabaseError).code, path: route.path }, 'request input refused by PostgreSQL');
          return send(req, res, route, { status: 400, body: { error: invalid } });
        }
        opts.logger.error({ err: err?.message, path: route.path }, 'request failed');
        send(req, res, route, { status: 500, body: { error: 'internal error' } });
      });
    });
    return true;
  };
}

/**
 * One HTTP app per process with the routers of its roles. Every failure answers JSON `{error}`; stack traces and
 * internals stay in the log.
 */
export function createHttpApp(opts: {
  routers: Router[];
  health: Record<string, HealthCheck | 'off'>;
  logger: Logger;
  /** Ingest channels and their mode ('off' when unconfigured); shown under `channels` when given. */
  channels?: () => Record<string, string>;
  /** Which stores this process uses (data dir or URL, never a secret); shown under `stores` when given. */
  stores?: Record<string, string>;
  /** Prometheus metrics of this process, served at /metrics. */
  metrics?: Metrics;
  /** Refreshed right before a scrape (queue depths are read from Redis then). */
  beforeScrape?: () => Promise<void>;
  /** When set, /metrics needs `Authorization: Bearer <token>`; without it /metrics is off unless metricsPublic. */
  metricsToken?: string;
  /** /metrics answers anyone (OTKLIK_METRICS_PUBLIC): only for a port no one outside can reach. */
  metricsPublic?: boolean;
  /** Express's `trust proxy` (OTKLIK_TRUST_PROXY); loopback by default. */
  trustProxy?: boolean | number | string[];
  /** Every cookie is Secure (see secureCookies). */
  secureCookies?: boolean;
  /** Public endpoints answered before the middleware stack (see HotRoute). */
  hot?: HotRoute[];
}) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.trustProxy ?? ['loopback']);
  app.use(securityHeaders);
  app.use(secureCookies(opts.secureCookies ?? false));

  // Paths and query strings of every route at once; bodies are checked where they are parsed (workflow/http-kit.ts).
  app.use((req, res, next) => {
    if (/%00/.test(req.url)) return void res.status(400).json({ error: `URL ${NUL_MESSAGE}` });
    next();
  });

  const metrics = opts.metrics;
  if (metrics) {
    app.use((req, res, next) => {
      res.on('finish', () => {
        // The route pattern, not the URL, keeps label cardinality bounded.
        const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other');
        metrics.httpRequests.inc({ method: req.method, route: String(route), status: `${Math.floor(res.statusCode / 100)}xx` });
      });
      next();
    });
    // Metrics name queues, routes and volumes: not for the public. Off (404) unless a token or an explicit opt-in.
    const token = opts.metricsToken;
    if (token || opts.metricsPublic) {
      app.get('/metrics', async (req, res) => {
        const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
        if (token && !(given !== undefined && sameToken(given, token))) {
          return void res.status(401).json({ error: 'metrics need Authorization: Bearer <OTKLIK_METRICS_TOKEN>' });
        }
        await opts.beforeScrape?.().catch((err: Error) => opts.logger.warn({ err: err.message }, 'metrics refresh failed'));
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      });
    }
  }

  app.get('/healthz', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(opts.health).map(async ([name, check]) => {
        if (check === 'off') return [name, 'off'] as const;
        const okNow = await Promise.race([check().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
        return [name, okNow ? 'ok' : 'down'] as const;
      }),
    );
    const status = Object.fromEntries(entries);
    const down = entries.filter(([, s]) => s === 'down').map(([n]) => n);
    const channels = opts.channels ? { channels: opts.channels() } : {};
    const stores = opts.stores ? { stores: opts.stores } : {};
    if (down.length > 0) return void res.status(503).json({ status: 'unavailable', down, ...status, ...stores, ...channels });
    res.json({ status: 'ok', ...status, ...stores, ...channels });
  });

  for (const router of opts.routers) app.use(router);

  app.use((req, res) => res.status(404).json({ error: `no route for ${req.method} ${req.path}` }));
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const invalid = clientDataError(err);
    if (invalid) {
      // Logged without PostgreSQL's message, which quotes the value (it may be personal data).
      opts.logger.warn({ code: (err as pg.DatabaseError).code, path: req.route?.path ?? req.path }, 'request input refused by PostgreSQL');
      if (!res.headersSent) res.status(400).json({ error: invalid });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) opts.logger.error({ err: err?.message, path: req.path }, 'request failed');
    const message = status === 413 ? 'request body is too large'
      : status === 400 && err?.type === 'entity.parse.failed' ? 'body is not valid JSON'
      : status < 500 ? String(err?.message ?? 'bad request') : 'internal error';
    if (!res.headersSent) res.status(status).json({ error: message });
  };
  app.use(onError);
  if (!opts.hot?.length) return app;
  const hot = hotRouteDispatcher(app, opts.hot, {
    logger: opts.logger, secureCookies: opts.secureCookies ?? false,
    observe: opts.metrics ? (route, status) => opts.metrics!.httpRequests.inc({ method: route.method, route: route.path, status: `${Math.floor(status / 100)}xx` }) : undefined,
  });
  // Hot routes are answered before Express's router (see HotRoute); every other request goes to the app.
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hot(req, res)) app(req, res);
  };
}

export async function listen(app: http.RequestListener, port: number, host: string): Promise<http.Server> {
  const server = http.createServer(app);
  // Requests Node's parser refuses (oversized headers or URL, malformed HTTP) still get a JSON error.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({ error: tooLarge ? 'request headers or URL are too large' : 'malformed HTTP request' });
    socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function closeServer(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; requests in flight still finish.
    server.closeIdleConnections();
  });
}
