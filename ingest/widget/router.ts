import { createHmac } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { authorHash, normalizePhone } from '../../lib/hash.js';
import { messageIdFor } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { incomingMessageSchema, type IncomingMessage } from '../../lib/queues.js';
import type { Intake } from '../intake.js';
import { WIDGET_CATEGORIES, widgetScript } from './script.js';

export const widgetSubmissionSchema = z.object({
  /** Made by widget.js once per form fill: a double click or a resubmission is the same message. */
  idempotencyKey: z.uuid(),
  org: z.string().trim().min(1).max(100),
  category: z.enum(WIDGET_CATEGORIES),
  text: z.string().trim().min(10, 'опишите проблему подробнее (не короче 10 символов)').max(5000),
  address: z.string().trim().max(1000).optional(),
  name: z.string().trim().max(300).optional(),
  phone: z.string().trim().max(50).optional(),
  email: z.union([z.literal(''), z.email().max(300)]).optional(),
  consent: z.literal(true, 'нужно согласие на обработку персональных данных'),
  /** The honeypot: hidden from people, filled by bots. */
  website: z.string().max(500).optional(),
}).refine((s) => !!(s.phone && normalizePhone(s.phone).length >= 11) || !!s.email, { message: 'укажите телефон или e-mail для ответа', path: ['phone'] });
export type WidgetSubmission = z.infer<typeof widgetSubmissionSchema>;

export function normalizeWidgetSubmission(s: WidgetSubmission, ctx: { salt: string; site: string; region?: string; now?: Date }): IncomingMessage {
  const phone = s.phone ? normalizePhone(s.phone) || undefined : undefined;
  const email = s.email ? s.email.toLowerCase() : undefined;
  const authorKey = phone ?? email ?? `widget:${s.idempotencyKey}`;
  return incomingMessageSchema.parse({
    messageId: messageIdFor('widget', s.idempotencyKey),
    source: 'widget',
    externalId: s.idempotencyKey,
    receivedAt: (ctx.now ?? new Date()).toISOString(),
    text: s.text,
    authorHash: authorHash(ctx.salt, 'widget', authorKey),
    contact: { name: s.name || undefined, phone, email },
    place: { address: s.address || undefined },
    attachments: [],
    provenance: { channel: 'widget', site: ctx.site, org: s.org, category: s.category, ...(ctx.region ? { region: ctx.region } : {}) },
    raw: { org: s.org, category: s.category, site: ctx.site },
  });
}

export interface WidgetDeps {
  db: pg.Pool;
  redis: Redis;
  prefix: string;
  intake: Intake;
  salt: string;
  allowedOrigins: string[];
  ipLimitPerHour: number;
  contactLimitPerDay: number;
  region?: string;
  logger: Logger;
}

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

/**
 * CORS headers for the poll mode of widget.js on an allowed site, or undefined (no Origin, or a site not allowed:
 * the request passes on without them). Shared with the vote endpoint's hot path (main.ts).
 */
export function widgetPollCors(allowedOrigins: string[]): (origin: string | undefined) => Record<string, string> | undefined {
  const allowed = new Set(allowedOrigins);
  return (origin) => (origin && allowed.has(origin)
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, X-Voter-Token', 'Access-Control-Max-Age': '600' }
    : undefined);
}

export function createWidgetRouter(deps: WidgetDeps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'widget' });
  const allowed = new Set(deps.allowedOrigins);
  // Keyed with the deployment's salt: a plain hash of a phone number is reversed by trying every number.
  const hashKey = (s: string) => createHmac('sha256', deps.salt).update(s).digest('hex').slice(0, 32);

  /** Strict CORS: only configured sites may call the API from a browser; others get a JSON 403. */
  const cors = (requireOrigin: boolean) => (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600' });
      if (req.method === 'OPTIONS') return void res.status(204).end();
      return next();
    }
    if (origin || requireOrigin) {
      deps.intake.stats.dropped('widget', 'origin_not_allowed').catch(() => {});
      return void res.status(403).json({ error: `сайт ${origin ?? '(без Origin)'} не подключён к виджету (WIDGET_ALLOWED_ORIGINS)` });
    }
    next();
  };

  router.get('/widget.js', async (_req, res) => {
    const script = await widgetScript();
    res.type('application/javascript; charset=utf-8').set('Cache-Control', 'public, max-age=300').send(script);
  });

  // Poll mode: widget.js calls the public polls API (served by the polls router) from the host site. Only CORS is
  // added here; requests without an allowed Origin pass on untouched (the public poll page is same-origin).
  const pollPaths = ['/api/v1/public/polls/:id', '/api/v1/public/polls/:id/votes', '/api/v1/public/identity/code', '/api/v1/public/identity/verify'];
  const pollCors = widgetPollCors(deps.allowedOrigins);
  router.use(pollPaths, (req, res, next) => {
    const headers = pollCors(req.get('origin'));
    if (!headers) return next();
    res.set(headers);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });

  router.options('/api/v1/widget/messages', cors(true));
  router.options('/api/v1/widget/messages/:messageId', cors(false));

  /** Fixed-window counter; the first request of a window sets its expiry. */
  const overLimit = async (key: string, limit: number, windowSeconds: number) => {
    const [[, count]] = (await deps.redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) as [[unknown, number]];
    return count > limit;
  };

  router.post('/api/v1/widget/messages', cors(true), express.json({ limit: '16kb', type: () => true }), async (req, res) => {
    const body = widgetSubmissionSchema.safeParse(req.body);
    if (!body.success) {
      await deps.intake.stats.dropped('widget', 'invalid');
      return void res.status(400).json({ error: `Проверьте форму: ${issues(body.error)}` });
    }
    const s = body.data;
    if (s.website) {
      await deps.intake.stats.dropped('widget', 'honeypot');
      log.info({}, 'widget honeypot filled; refused');
      return void res.status(400).json({ error: 'обращение не принято' });
    }
    const message = normalizeWidgetSubmission(s, { salt: deps.salt, site: req.get('origin')!, region: deps.region });
    try {
      // A resubmission of an accepted form answers the same id and does not count against the limits.
      if (await deps.intake.seen(message.messageId)) {
        await deps.intake.stats.dropped('widget', 'duplicate');
        return void res.status(202).json({ messageId: message.messageId });
      }
      const hour = Math.floor(Date.now() / 3_600_000);
      const day = Math.floor(Date.now() / 86_400_000);
      const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const contactKey = hashKey(message.contact.phone ?? message.contact.email ?? '');
      if (await overLimit(`${deps.prefix}:widget:ip:${hashKey(ip)}:${hour}`, deps.ipLimitPerHour, 3600)) {
        await deps.intake.stats.dropped('widget', 'rate_limited_ip');
        return void res.status(429).set('Retry-After', String(3600 - (Math.floor(Date.now() / 1000) % 3600)))
          .json({ error: 'Слишком много обращений с этого адреса. Попробуйте позже.' });
      }
      if (await overLimit(`${deps.prefix}:widget:contact:${contactKey}:${day}`, deps.contactLimitPerDay, 86_400)) {
        await deps.intake.stats.dropped('widget', 'rate_limited_contact');
        return void res.status(429).set('Retry-After', String(86_400 - (Math.floor(Date.now() / 1000) % 86_400)))
          .json({ error: 'Слишком много обращений с этим телефоном или e-mail за сутки. Попробуйте завтра.' });
      }
      await deps.intake.accept(message);
    } catch (err) {
      await deps.intake.stats.failed('widget');
      log.error({ err: (err as Error).message }, 'could not enqueue a widget message');
      return void res.status(503).json({ error: 'Сервис временно недоступен, попробуйте позже.' });
    }
    res.status(202).json({ messageId: message.messageId });
  });

  router.get('/api/v1/widget/messages/:messageId', cors(false), async (req, res) => {
    const id = z.uuid().safeParse(req.params.messageId);
    if (!id.success) return void res.status(400).json({ error: 'messageId must be a UUID' });
    const r = await deps.db.query<{ registration_number: string; status: string }>(
      `select c.registration_number, c.status from cases c join messages m on m.id = c.message_id
        where c.message_id = $1 and m.source = 'widget'`, [id.data]);
    const row = r.rows[0];
    if (row) return void res.json({ messageId: id.data, registrationNumber: row.registration_number, status: row.status });
    if (await deps.intake.seen(id.data)) return void res.json({ messageId: id.data, status: 'pending' });
    res.status(404).json({ error: 'обращение не найдено' });
  });

  return router;
}
