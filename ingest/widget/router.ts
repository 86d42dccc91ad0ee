import { createHmac } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { authorHash, normalizePhone } from '../../lib/hash.js';
import { messageIdFor } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { incomingMessageSchema, type IncomingMessage } from '../../lib/queues.js';
import type { CaseLookups } from '../case-lookups.js';
import type { Intake } from '../intake.js';
import { WIDGET_CATEGORIES, widgetScript } from './script.js';
import { DAY_MS } from '../../lib/time.js';

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
    origin: 'appeal',
    raw: { org: s.org, category: s.category, site: ctx.site },
  });
}

export interface WidgetDeps {
  redis: Redis;
  prefix: string;
  intake: Intake;
  /** The case a submission became (asked of the stage that owns cases). */
  cases: Pick<CaseLookups, 'widgetCase'>;
  salt: string;
  /** The sites allowed to embed the widget, or a getter when administrators may change them while the process runs. */
  allowedOrigins: Origins;
  ipLimitPerHour: number;
  contactLimitPerDay: number;
  region?: string;
  /** The region's IANA time zone as it is now: the poll mode prints dates in it. */
  timeZone?: () => string | undefined;
  logger: Logger;
  now?: () => Date;
}

/**
 * CORS headers for the poll mode of widget.js on an allowed site, or undefined (no Origin, or a site not allowed:
 * the request passes on without them). Shared with the vote endpoint's hot path (main.ts).
 */
export type Origins = string[] | (() => string[]);
const originsNow = (o: Origins): Set<string> => new Set(typeof o === 'function' ? o() : o);

export function widgetPollCors(allowedOrigins: Origins): (origin: string | undefined) => Record<string, string> | undefined {
  return (origin) => (origin && originsNow(allowedOrigins).has(origin)
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, X-Voter-Token', 'Access-Control-Max-Age': '600' }
    : undefined);
}

/** Strict CORS: only configured sites may call the widget's API from a browser; others get a JSON 403. */
function widgetCors(deps: Pick<WidgetDeps, 'allowedOrigins' | 'intake'>) {
  return (requireOrigin: boolean): RequestHandler => (req, res, next) => {
    const origin = req.get('origin');
    if (origin && originsNow(deps.allowedOrigins).has(origin)) {
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
}

/** widget.js itself, CORS for its poll mode, and the browsers' preflights; the JSON routes are registerWidgetRoutes'. */
export function createWidgetRouter(deps: Pick<WidgetDeps, 'allowedOrigins' | 'intake' | 'timeZone'>): Router {
  const router = express.Router();
  const cors = widgetCors(deps);
  router.get('/widget.js', async (_req, res) => {
    const script = await widgetScript(deps.timeZone?.());
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
  return router;
}

/** Fixed-window counter in Redis; the first request of a window sets its expiry. True when over the limit. */
async function overLimit(redis: Redis, key: string, limit: number, windowSeconds: number): Promise<boolean> {
  const [[, count]] = (await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) as [[unknown, number]];
  return count > limit;
}

/** Per address per hour and per phone or e-mail per day; a refusal is a 429 with Retry-After, counted as a drop. */
async function checkLimits(deps: WidgetDeps, ip: string, message: IncomingMessage): Promise<void> {
  // Keyed with the deployment's salt: a plain hash of a phone number is reversed by trying every number.
  const hashKey = (s: string) => createHmac('sha256', deps.salt).update(s).digest('hex').slice(0, 32);
  const now = Date.now();
  const contactKey = hashKey(message.contact.phone ?? message.contact.email ?? '');
  if (await overLimit(deps.redis, `${deps.prefix}:widget:ip:${hashKey(ip)}:${Math.floor(now / 3_600_000)}`, deps.ipLimitPerHour, 3600)) {
    await deps.intake.stats.dropped('widget', 'rate_limited_ip');
    throw new HttpError(429, 'Слишком много обращений с этого адреса. Попробуйте позже.', { retryAfter: 3600 - (Math.floor(now / 1000) % 3600) });
  }
  if (await overLimit(deps.redis, `${deps.prefix}:widget:contact:${contactKey}:${Math.floor(now / DAY_MS)}`, deps.contactLimitPerDay, 86_400)) {
    await deps.intake.stats.dropped('widget', 'rate_limited_contact');
    throw new HttpError(429, 'Слишком много обращений с этим телефоном или e-mail за сутки. Попробуйте завтра.', {
      retryAfter: 86_400 - (Math.floor(now / 1000) % 86_400),
    });
  }
}

const ORIGIN_REFUSAL = 'Site not allowed (WIDGET_ALLOWED_ORIGINS), or no Origin where one is required';

export function registerWidgetRoutes(api: ApiBuilder, deps: WidgetDeps): void {
  const log = deps.logger.child({ component: 'widget' });
  const cors = widgetCors(deps);
  api.route({ method: 'post', path: '/api/v1/widget/messages', tag: 'ingest channels', auth: false, before: [cors(true)],
    summary: "A citizen's appeal from the widget on an allowed site (CORS); a resubmission of the same form answers the same messageId.",
    body: widgetSubmissionSchema, anyContentType: true, bodyLimit: 16 * 1024, keepNul: true, status: 202, invalidInput: async (issues) => {
      await deps.intake.stats.dropped('widget', 'invalid');
      return `Проверьте форму: ${issues}`;
    }, response: z.object({ messageId: z.uuid() }),
    errors: { 403: ORIGIN_REFUSAL, 429: 'Too many appeals from this address (per hour) or this phone or e-mail (per day)', 503: 'The queue is unavailable' } },
    async ({ body: s, req }) => {
      if (s.website) {
        await deps.intake.stats.dropped('widget', 'honeypot');
        log.info({}, 'widget honeypot filled; refused');
        throw new HttpError(400, 'обращение не принято');
      }
      const message = normalizeWidgetSubmission(s, { salt: deps.salt, site: req.get('origin')!, region: deps.region, now: deps.now?.() });
      try {
        // A resubmission of an accepted form answers the same id and does not count against the limits.
        if (await deps.intake.seen(message.messageId)) {
          await deps.intake.stats.dropped('widget', 'duplicate');
          return { body: { messageId: message.messageId } };
        }
        await checkLimits(deps, req.ip ?? req.socket.remoteAddress ?? 'unknown', message);
        await deps.intake.accept(message);
      } catch (err) {
        if (err instanceof HttpError) throw err;
        await deps.intake.stats.failed('widget');
        log.error({ err: (err as Error).message }, 'could not enqueue a widget message');
        throw new HttpError(503, 'Сервис временно недоступен, попробуйте позже.');
      }
      return { body: { messageId: message.messageId } };
    });

  api.route({ method: 'get', path: '/api/v1/widget/messages/:messageId', tag: 'ingest channels', auth: false, before: [cors(false)],
    summary: 'What became of an appeal sent through the widget: its case number and status, or pending.', params: z.object({ messageId: z.uuid() }),
    response: z.object({ messageId: z.uuid(), registrationNumber: z.string().optional(),
      status: z.string().describe('The case status, or pending while no case exists') }), errors: { 403: ORIGIN_REFUSAL, 404: 'No such appeal' } },
    async ({ params }) => {
      const found = await deps.cases.widgetCase(params.messageId);
      if (found) return { body: { messageId: params.messageId, ...found } };
      if (await deps.intake.seen(params.messageId)) return { body: { messageId: params.messageId, status: 'pending' } };
      throw new HttpError(404, 'обращение не найдено');
    });
}
