import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { ApiBuilder, HttpError } from './api-builder.js';
import { hotRouteDispatcher, type HotRoute } from './hot-routes.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { clientDataError } from './data-errors.js';
import { NUL_MESSAGE } from './nul.js';
import { openApiDocument } from './openapi.js';
import { secureCookies } from './secure-cookies.js';
import { allowedMethods, registeredRoutes, type RegisteredRoute } from './route-table.js';

export type { HotAnswer, HotRoute } from './hot-routes.js';
export { withSecureFlag } from './secure-cookies.js';

export type HealthCheck = () => Promise<boolean>;

/** The one OpenAPI document of a process; the polls' former address of their own document leads to it. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
const FORMER_POLLS_OPENAPI_PATH = '/api/v1/polls/openapi.json';

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

/** Compares a presented bearer token or webhook secret with the configured one in constant time (digests have equal length). */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

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

export interface HttpAppOptions {
  routers: Router[];
  /**
   * The ApiBuilders whose routers are among `routers` (or mounted inside them): described together, with the
   * routes served here, in the one document at OPENAPI_PATH. Without them no document is served here.
   */
  apis?: ApiBuilder[];
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
  /** Public endpoints answered before the middleware stack (lib/hot-routes.ts). */
  hot?: HotRoute[];
  /** The page a browser gets for an unknown address (the dashboard's, in Russian); API clients keep the JSON 404. */
  notFoundPage?: () => string;
}

/** A request listener for http.createServer that also tells which routes it serves (lib/route-table.ts). */
export type HttpApp = http.RequestListener & { routes(): RegisteredRoute[] };

const DOCUMENT_INFO = {
  title: 'Otklik API',
  version: '1',
  description: 'Every JSON route of this Otklik process: the case workflow, polls, routing, ingest channels, analytics and the ' +
    'dashboard. Refusals answer JSON {"error": "..."}; a method a path does not serve answers 405 with Allow. Case actions take ' +
    'the case version they saw (expectedVersion); a stale one answers 409.',
};

const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  down: z.array(z.string()).optional().describe('Stores that did not answer (with status unavailable)'),
  channels: z.record(z.string(), z.string()).optional().describe('Ingest channels and their mode, where this process runs ingest'),
  stores: z.record(z.string(), z.string()).optional().describe('Which store each backend is (data dir or URL without secrets)'),
}).catchall(z.enum(['ok', 'down', 'off']));

async function healthReport(opts: HttpAppOptions): Promise<{ status: number; body: Record<string, unknown> }> {
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
  if (down.length > 0) return { status: 503, body: { status: 'unavailable', down, ...status, ...stores, ...channels } };
  return { status: 200, body: { status: 'ok', ...status, ...stores, ...channels } };
}

/** The process's own routes: health, metrics and the one OpenAPI document. */
function operationsApi(opts: HttpAppOptions): ApiBuilder {
  const ops = new ApiBuilder();
  ops.route({ method: 'get', path: '/healthz', tag: 'operations', auth: false, summary: 'Whether the stores answer, and what each ingest channel does.',
    response: healthSchema, errors: [], otherResponses: { 503: { description: 'A store is down (named in `down`)', schema: healthSchema } } },
    async () => healthReport(opts));
  const { metrics, metricsToken } = opts;
  // Metrics name queues, routes and volumes: not for the public. Off (404) unless a token or an explicit opt-in.
  if (metrics && (metricsToken || opts.metricsPublic)) {
    ops.route({ method: 'get', path: '/metrics', tag: 'operations', auth: false, summary: 'Prometheus metrics of this process.',
      ...(metricsToken ? { credential: 'metricsToken' as const, errors: { 401: 'No or wrong OTKLIK_METRICS_TOKEN' } } : { errors: [] }),
      produces: { 'text/plain': 'Prometheus text exposition format 0.0.4' } }, async ({ req }) => {
      const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (metricsToken && !(given !== undefined && sameToken(given, metricsToken))) {
        throw new HttpError(401, 'metrics need Authorization: Bearer <OTKLIK_METRICS_TOKEN>');
      }
      await opts.beforeScrape?.().catch((err: Error) => opts.logger.warn({ err: err.message }, 'metrics refresh failed'));
      return { content: { type: metrics.registry.contentType, data: await metrics.registry.metrics() } };
    });
  }
  const apis = opts.apis;
  if (!apis) return ops;
  let document: Record<string, unknown> | undefined;
  ops.route({ method: 'get', path: OPENAPI_PATH, tag: 'operations', auth: false, summary: 'This document: every JSON route this process serves.',
    response: z.object({ openapi: z.literal('3.1.0') }).loose(), errors: [] }, // Built at the first request: every builder has declared its routes by then.
    async () => ({ body: document ??= openApiDocument([ops, ...apis], DOCUMENT_INFO) }));
  ops.route({ method: 'get', path: FORMER_POLLS_OPENAPI_PATH, tag: 'operations', auth: false,
    summary: 'Where the polls document was: it is part of the one document now.', status: 308, errors: [] },
    async () => ({ status: 308, headers: { location: OPENAPI_PATH }, body: { location: OPENAPI_PATH } }));
  return ops;
}

/** 405 with Allow for a path some route serves with other methods; other requests pass on (to the 404). */
function methodNotAllowed(app: express.Express): RequestHandler {
  return (req, res, next) => {
    const allow = allowedMethods(app.router, req.path);
    if (allow.length === 0) return next();
    res.setHeader('allow', allow.join(', '));
    res.status(405).json({ error: `${req.method} is not served at ${req.path}; allowed: ${allow.join(', ')}` });
  };
}

/**
 * The path as logged: the matched route's template (`/webhooks/ok/:groupId/:secret`) rather than the values in it,
 * and for a path no route matched, nothing beyond a webhook's channel name, where a path may carry a credential (the
 * Одноклассники webhook's address is its secret). Access logs of a reverse proxy need the same care (docs/security.md).
 */
export function loggedPath(req: Pick<Request, 'path' | 'baseUrl'> & { route?: { path?: unknown } }): string {
  if (typeof req.route?.path === 'string') return `${req.baseUrl}${req.route.path}`;
  return req.path.replace(/^(\/webhooks\/[^/]*)\/.*$/, '$1/[redacted]');
}

const onError = (logger: Logger): ErrorRequestHandler => (err, req, res, _next) => {
  const invalid = clientDataError(err);
  if (invalid) {
    logger.warn({ code: invalid.code, path: loggedPath(req) }, 'request input refused by PostgreSQL');
    if (!res.headersSent) res.status(400).json({ error: invalid.message });
    return;
  }
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
  if (status >= 500) logger.error({ err: err?.message, path: loggedPath(req) }, 'request failed');
  const message = status === 413 ?
    'request body is too large'
    : status === 400 && err?.type === 'entity.parse.failed' ?
    'body is not valid JSON'
    : status < 500
    ? String(err?.message ?? 'bad request')
    : 'internal error';
  if (!res.headersSent) res.status(status).json({ error: message });
};

/**
 * One HTTP app per process with the routers of its roles. Every failure answers JSON `{error}`; stack traces and
 * internals stay in the log.
 */
export function createHttpApp(opts: HttpAppOptions): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.trustProxy ?? ['loopback']);
  app.use(securityHeaders);
  app.use(secureCookies(opts.secureCookies ?? false));

  // Paths and query strings of every route at once; bodies are checked where they are parsed (lib/api-builder.ts).
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
  }
  app.use(operationsApi(opts).router);
  for (const router of opts.routers) app.use(router);
  app.use(methodNotAllowed(app));
  app.use((req, res) => {
    const browser = opts.notFoundPage && req.method === 'GET' && !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
    if (browser) return void res.status(404).type('html').send(opts.notFoundPage!());
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  app.use(onError(opts.logger));

  const hotRoutes = opts.hot ?? [];
  const hot = hotRoutes.length ?
    hotRouteDispatcher(app, hotRoutes, {
      logger: opts.logger,
      securityHeaders: headersSetBy(securityHeaders),
      secureCookies: opts.secureCookies ?? false,
      observe: metrics
        ? (route, status) => metrics.httpRequests.inc({ method: route.method, route: route.path, status: `${Math.floor(status / 100)}xx` })
        : undefined,
    }) :
    undefined;
  // Hot routes are answered before Express's router (lib/hot-routes.ts); every other request goes to the app.
  const listener = ((req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hot?.(req, res)) app(req, res);
  }) as HttpApp;
  listener.routes = () => [...registeredRoutes(app.router), ...hotRoutes.map((r) => ({ path: r.path, methods: [r.method] }))];
  return listener;
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
