import http from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
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

/** After a body parser: a body holding U+0000 anywhere is a 400 naming where. */
export const refuseNulBody: RequestHandler = (req, res, next) => {
  const at = findNul(req.body, 'body');
  if (at) return void res.status(400).json({ error: `invalid input: ${at} ${NUL_MESSAGE}` });
  next();
};

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
  /** Prometheus metrics of this process, served at /metrics. */
  metrics?: Metrics;
  /** Refreshed right before a scrape (queue depths are read from Redis then). */
  beforeScrape?: () => Promise<void>;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
}) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Pages load only their own scripts (no inline code), so a strict CSP fits; citizens' text is escaped anyway.
  // Resources are cross-origin readable because widget.js and its poll mode run inside other sites' pages
  // (CORS still guards every API response).
  app.use(helmet({
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
  }));

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
    app.get('/metrics', async (req, res) => {
      if (opts.metricsToken && req.get('authorization') !== `Bearer ${opts.metricsToken}`) {
        return void res.status(401).json({ error: 'metrics need Authorization: Bearer <OTKLIK_METRICS_TOKEN>' });
      }
      await opts.beforeScrape?.().catch((err: Error) => opts.logger.warn({ err: err.message }, 'metrics refresh failed'));
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
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
    if (down.length > 0) return void res.status(503).json({ status: 'unavailable', down, ...status, ...channels });
    res.json({ status: 'ok', ...status, ...channels });
  });

  for (const router of opts.routers) app.use(router);

  app.use((req, res) => res.status(404).json({ error: `no route for ${req.method} ${req.path}` }));
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) opts.logger.error({ err: err?.message, path: req.path }, 'request failed');
    const message = status === 413 ? 'request body is too large'
      : status === 400 && err?.type === 'entity.parse.failed' ? 'body is not valid JSON'
      : status < 500 ? String(err?.message ?? 'bad request') : 'internal error';
    if (!res.headersSent) res.status(status).json({ error: message });
  };
  app.use(onError);
  return app;
}

export async function listen(app: express.Express, port: number, host: string): Promise<http.Server> {
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
