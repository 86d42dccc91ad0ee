import http from 'node:http';
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Logger } from './logger.js';

export type HealthCheck = () => Promise<boolean>;

/**
 * One HTTP app per process with the routers of its roles. Every failure answers JSON `{error}`; stack traces and
 * internals stay in the log.
 */
export function createHttpApp(opts: { routers: Router[]; health: Record<string, HealthCheck | 'off'>; logger: Logger }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

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
    if (down.length > 0) return void res.status(503).json({ status: 'unavailable', down, ...status });
    res.json({ status: 'ok', ...status });
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
