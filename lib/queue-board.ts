import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Queue } from 'bullmq';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** Keys whose values are personal data wherever they appear in a payload (contacts, recipients, channel payloads). */
const PERSONAL_KEYS = new Set(['contact', 'raw', 'target', 'name', 'phone', 'email', 'channelUserId', 'chatId', 'peerId']);

/**
 * A job payload as the board shows it: personal fields replaced by a marker, sealed values by their size. Payloads
 * already carry contacts and recipients sealed (lib/seal.ts); this is the second wall, for jobs of older versions
 * and for any field a future payload adds under a familiar name.
 */
export function redactPayload(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => redactPayload(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'sealed' && typeof v === 'string') out[k] = `[sealed, ${v.length} chars]`;
    else if (PERSONAL_KEYS.has(k) && v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v).length === 0)) out[k] = '[redacted]';
    else out[k] = redactPayload(v, depth + 1);
  }
  return out;
}

/**
 * Bull Board's page links a web font from a font CDN, which the CSP (and an offline deployment) refuses: the link is
 * taken out of its HTML, and the page falls back to the system font it names anyway.
 */
const withoutWebFonts: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => send(typeof body === 'string' ? stripWebFonts(body) : body);
  next();
};

export function stripWebFonts(html: string): string {
  let out = html;
  for (let at = out.indexOf('https://fonts.'); at >= 0; at = out.indexOf('https://fonts.')) {
    const start = out.lastIndexOf('<link', at);
    const end = out.indexOf('>', at);
    if (start < 0 || end < 0) break;
    out = out.slice(0, start) + out.slice(end + 1);
  }
  return out;
}

/** Region-wide administrators only: an organization's administrator sees its own cases, not every queue's jobs. */
export function isRegionAdministrator(req: Request): boolean {
  const user = (req as { user?: { roles?: { role: string; organizationId: string | null }[] } }).user;
  return !!user?.roles?.some((r) => r.role === 'administrator' && r.organizationId === null);
}

/**
 * Bull Board over every queue, for region administrators only: failed jobs can be inspected and retried there,
 * which is where dead-lettered payloads end up. Payloads are shown redacted (redactPayload).
 */
export function createQueueBoard(deps: { queues: Queue[]; authenticate: RequestHandler }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  const adapters = deps.queues.map((q) => {
    const adapter = new BullMQAdapter(q);
    adapter.setFormatter('data', (data: unknown) => redactPayload(data));
    return adapter;
  });
  createBullBoard({ queues: adapters, serverAdapter, options: { uiConfig: { boardTitle: 'Отклик — очереди' } } });
  const router = express.Router();
  router.use(QUEUE_BOARD_PATH, deps.authenticate, (req, res, next) => {
    if (!isRegionAdministrator(req)) return void res.status(403).json({ error: 'the queue board is for region administrators only' });
    next();
  }, withoutWebFonts, serverAdapter.getRouter() as Router);
  return router;
}
