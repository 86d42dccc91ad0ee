/**
 * Routes declared once and used twice: registered on an Express router with zod validation of params, query and
 * body, and described in the OpenAPI 3.1 document from the very same declaration (schemas, statuses, media types,
 * credentials), so the document cannot drift from what the server does. lib/openapi.ts joins the builders of a
 * process into its one document.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AuthUser } from './auth-user.js';
import type { HotAnswer, HotRoute } from './hot-routes.js';
import { findNul, NUL_MESSAGE } from './nul.js';

export class HttpError extends Error {
  /** Seconds, sent as Retry-After (a 429 of a rate limit). */
  retryAfter?: number;

  constructor(readonly status: number, message: string, opts: { retryAfter?: number } = {}) {
    super(message);
    this.retryAfter = opts.retryAfter;
  }
}

/**
 * Refusals a route declares because its handler or guard can answer them. 400 (a route with input), 401 and 403
 * (a route behind the bearer auth) and 413 (a route with a body) follow from the declaration and are not listed.
 */
export type ErrorStatus = 401 | 403 | 404 | 409 | 429 | 503;

/** Credentials of callers that are not officials: a channel's own secret, checked by the route's guard or handler. */
export type ChannelCredential = 'contactCenterSignature' | 'telegramSecret' | 'maxSecret' | 'metricsToken';

export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface RouteDef<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style (`/api/v1/cases/:id`). */
  path: string;
  tag: string;
  summary: string;
  /** More for the document than the summary holds (behaviour a client relies on). */
  description?: string;
  /** Who may call it, in words, for the document; enforcement is in the handler. */
  roles?: string;
  /** false: no official's token (public, or a channel proving itself with `credential`). */
  auth?: boolean;
  credential?: ChannelCredential;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * 'raw': the body is read as bytes (ctx.raw), `guard` sees them, and only then are they parsed as JSON and
   * checked against `body`: for a signature over the exact bytes sent.
   */
  bodyFormat?: 'json' | 'raw';
  /** Largest body accepted, in bytes (DEFAULT_BODY_LIMIT); larger ones answer 413. */
  bodyLimit?: number;
  /** Parse the body as JSON whatever its Content-Type says (senders that do not set it). */
  anyContentType?: boolean;
  /** Accept U+0000 in the body: citizens' text, which the intake repairs rather than losing the message. */
  keepNul?: boolean;
  /** Middleware in front of auth and the body parser (CORS). */
  before?: RequestHandler[];
  /** Checks after the body is read and before input is validated: a signature, a channel secret, a role. */
  guard?: (req: Request, raw: Buffer | undefined) => void | Promise<void>;
  /**
   * The guard needs no body (a secret in a header or in the path): it runs before the body is read, so a forged
   * request is refused as such whatever it sends (malformed or oversized bodies included).
   */
  guardBeforeBody?: boolean;
  /** The 400 message for invalid input (and what to record about it); `invalid <where>: <issues>` otherwise. */
  invalidInput?: (issues: string, req: Request) => string | Promise<string>;
  /** Status of success (200 unless given). */
  status?: number;
  /** Schema of the JSON body of a success. */
  response?: z.ZodType;
  /** Media types a success may take instead of JSON (an export, a plain-text acknowledgement), with when. */
  produces?: Record<string, string>;
  /** Answers that are neither the success nor a `{error}` refusal (a 503 health report), with their JSON body. */
  otherResponses?: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * Refusals beyond the implied ones, with what each means here when a word helps. Required, `[]` for none: every
   * route states what it refuses, so the document guesses nothing.
   */
  errors: ErrorStatus[] | Partial<Record<ErrorStatus, string>>;
  /**
   * Also answered in front of the middleware stack (lib/hot-routes.ts): for public POST endpoints that take
   * storms. The handler then sees an Express request that went through no middleware (no cookies parsed, no user).
   */
  hot?: boolean;
}

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The bytes of a 'raw' body. */
  raw?: Buffer;
  user: AuthUser;
  req: Request;
}

export interface Answer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A success that is not JSON (an export, a plain-text acknowledgement), sent with its media type. */
  content?: { type: string; data: string | Buffer };
}

type Handler<P, Q, B> = (ctx: Ctx<P, Q, B>) => Promise<Answer>;
type AnyHandler = Handler<unknown, unknown, unknown>;
type Input = { params: unknown; body: unknown; raw?: Buffer; bodyFreeOfNul?: boolean };

const describeIssues = (e: z.ZodError, where: string) => e.issues.map((i) => `${i.path.join('.') || where}: ${i.message}`).join('; ');

function bodyParser(d: RouteDef & { bodyLimit: number }): RequestHandler | undefined {
  const limit = d.bodyLimit;
  if (d.bodyFormat === 'raw') return express.raw({ type: () => true, limit });
  if (!d.body) return undefined;
  return express.json({ limit, ...(d.anyContentType ? { type: () => true } : {}) });
}

/** The guard as middleware in front of the body parser; its refusal is answered as the route's own would be. */
function guardFirst(guard: NonNullable<RouteDef['guard']>): RequestHandler {
  return async (req, res, next) => {
    try {
      await guard(req, undefined);
      next();
    } catch (err) {
      if (!(err instanceof HttpError)) return next(err);
      send(res, { status: err.status, body: { error: err.message }, ...(err.retryAfter ? { headers: { 'retry-after': String(err.retryAfter) } } : {}) });
    }
  };
}

function send(res: Response, out: Answer & { status: number }): void {
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  res.status(out.status);
  if (!out.content) return void res.json(out.body);
  res.setHeader('content-type', out.content.type);
  res.send(out.content.data);
}

const builders = new WeakMap<Router, ApiBuilder>();

export class ApiBuilder {
  readonly router: Router = express.Router();
  private readonly defs: RouteDef[] = [];
  private readonly hot: HotRoute[] = [];

  /** `auth`: the officials' bearer/session middleware; a builder of public routes only needs none. */
  constructor(private readonly auth?: RequestHandler) {
    builders.set(this.router, this);
  }

  /** The builder whose router this is (for factories that hand out only the router). */
  static of(router: Router): ApiBuilder {
    const builder = builders.get(router);
    if (!builder) throw new Error('this router was not made by an ApiBuilder');
    return builder;
  }

  route<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
    def: RouteDef<P, Q, B>,
    handler: Handler<z.infer<P>, z.infer<Q>, z.infer<B>>,
  ): void {
    const d = { ...(def as unknown as RouteDef), bodyLimit: def.bodyLimit ?? DEFAULT_BODY_LIMIT };
    if (d.auth !== false && !this.auth) throw new Error(`${d.path}: this builder has no auth middleware`);
    this.defs.push(d);
    const answer = (req: Request, input: Input) => this.answer(d, handler as unknown as AnyHandler, req, input);
    if (d.hot) {
      // The hot path parses JSON itself and refuses U+0000 (lib/hot-routes.ts).
      if (d.method !== 'post' || d.auth !== false || d.bodyFormat === 'raw' || d.keepNul || d.guardBeforeBody) {
        throw new Error(`${d.path}: only public JSON POST routes can be hot`);
      }
      this.hot.push({
        method: 'POST',
        path: d.path,
        bodyLimit: d.bodyLimit,
        handle: async (req, params, body): Promise<HotAnswer> => {
          const out = await answer(req, { params, body, bodyFreeOfNul: true });
          return { status: out.status, body: out.body, headers: out.headers };
        },
      });
    }
    const chain: RequestHandler[] = [...(d.before ?? [])];
    if (d.auth !== false) chain.push(this.auth!);
    if (d.guard && d.guardBeforeBody) chain.push(guardFirst(d.guard));
    const parser = bodyParser(d);
    if (parser) chain.push(parser);
    chain.push(async (req, res, next) => {
      try {
        const raw = d.bodyFormat === 'raw' ? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) : undefined;
        send(res, await answer(req, { params: req.params, body: raw ? undefined : req.body, raw }));
      } catch (err) {
        next(err);
      }
    });
    this.router[d.method](d.path, ...chain);
  }

  /** Hot routes to serve in front of the middleware stack (lib/hot-routes.ts); they stay registered on the router too. */
  hotRoutes(): HotRoute[] {
    return [...this.hot];
  }

  /** Every route declared so far, in order. */
  definitions(): readonly RouteDef[] {
    return this.defs;
  }

  /** Guard, validation, the handler and refusals as one answer; other errors are thrown (a 500 where they are caught). */
  private async answer(d: RouteDef, handler: AnyHandler, req: Request, input: Input): Promise<Answer & { status: number }> {
    try {
      if (!d.guardBeforeBody) await d.guard?.(req, input.raw);
      const parse = async (schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body') => {
        if (!schema) return undefined;
        // The hot path has checked the body already (lib/hot-routes.ts).
        const skipNul = where === 'body' && (d.keepNul || input.bodyFreeOfNul);
        const nul = skipNul ? undefined : findNul(value, where);
        if (nul) throw new HttpError(400, `invalid input: ${nul} ${NUL_MESSAGE}`);
        const r = schema.safeParse(value ?? {});
        if (r.success) return r.data;
        const issues = describeIssues(r.error, where);
        throw new HttpError(400, d.invalidInput ? await d.invalidInput(issues, req) : `invalid ${where}: ${issues}`);
      };
      const params = await parse(d.params, input.params, 'path');
      const query = await parse(d.query, req.query, 'query');
      const body = await parse(d.body, d.body && input.raw ? parseJson(input.raw) : input.body, 'body');
      const out = await handler({ params, query, body, raw: input.raw, user: req.user!, req });
      return { ...out, status: out.status ?? d.status ?? 200 };
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return { status: err.status, body: { error: err.message }, ...(err.retryAfter ? { headers: { 'retry-after': String(err.retryAfter) } } : {}) };
    }
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
