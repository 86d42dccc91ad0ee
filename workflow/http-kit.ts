/**
 * Routes declared once and used twice: registered on the Express router with zod validation of params, query
 * and body, and described in the OpenAPI 3.1 document from the very same schemas, so the document cannot drift
 * from what the server accepts.
 */
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { findNul, NUL_MESSAGE, type HotAnswer, type HotRoute } from '../lib/http.js';
import type { AuthUser } from './auth.js';

export class HttpError extends Error {
  /** Seconds, sent as Retry-After (a 429 of a rate limit). */
  retryAfter?: number;

  constructor(readonly status: number, message: string, opts: { retryAfter?: number } = {}) {
    super(message);
    this.retryAfter = opts.retryAfter;
  }
}

const BODY_LIMIT_BYTES = 256 * 1024;

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style (`/api/v1/cases/:id`). */
  path: string;
  tag: string;
  summary: string;
  /** Who may call it, in words, for the document; enforcement is in the handler. */
  roles?: string;
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response?: z.ZodType;
  /**
   * Also answered in front of the middleware stack (lib/http.ts HotRoute): for public POST endpoints that take
   * storms. The handler then sees an Express request that went through no middleware (no cookies parsed, no user).
   */
  hot?: boolean;
}

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  user: AuthUser;
  req: Request;
}

type Handler<P, Q, B> = (ctx: Ctx<P, Q, B>) => Promise<{ status?: number; body: unknown; headers?: Record<string, string> }>;

const describeIssues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

export class ApiBuilder {
  readonly router: Router = express.Router();
  private readonly defs: RouteDef<z.ZodType, z.ZodType, z.ZodType>[] = [];
  private readonly hot: HotRoute[] = [];

  constructor(private readonly auth: RequestHandler) {}

  route<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
    def: RouteDef<P, Q, B>,
    handler: Handler<z.infer<P>, z.infer<Q>, z.infer<B>>,
  ): void {
    this.defs.push(def as unknown as RouteDef<z.ZodType, z.ZodType, z.ZodType>);
    const answer = (req: Request, params: unknown, body: unknown, bodyFreeOfNul = false) => this.answer(def as unknown as RouteDef<z.ZodType, z.ZodType, z.ZodType>,
      handler as unknown as Handler<unknown, unknown, unknown>, req, params, body, bodyFreeOfNul);
    if (def.hot) {
      if (def.method !== 'post' || def.auth !== false) throw new Error(`${def.path}: only public POST routes can be hot`);
      this.hot.push({ method: 'POST', path: def.path, bodyLimit: BODY_LIMIT_BYTES, handle: (req, params, body) => answer(req, params, body, true) });
    }
    const chain: RequestHandler[] = [];
    if (def.auth !== false) chain.push(this.auth);
    if (def.body) chain.push(express.json({ limit: BODY_LIMIT_BYTES }));
    chain.push(async (req, res, next) => {
      try {
        const out = await answer(req, req.params, req.body);
        for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
        res.status(out.status).json(out.body);
      } catch (err) {
        next(err);
      }
    });
    this.router[def.method](def.path, ...chain);
  }

  /** Hot routes to serve in front of the middleware stack (lib/http.ts); they stay registered on the router too. */
  hotRoutes(): HotRoute[] {
    return [...this.hot];
  }

  /** Validation, the handler and refusals as one answer; other errors are thrown (a 500 where they are caught). */
  private async answer(def: RouteDef<z.ZodType, z.ZodType, z.ZodType>, handler: Handler<unknown, unknown, unknown>,
    req: Request, rawParams: unknown, rawBody: unknown, bodyFreeOfNul: boolean): Promise<HotAnswer> {
    try {
      const parse = <T extends z.ZodType>(schema: T | undefined, value: unknown, where: string) => {
        if (!schema) return undefined;
        // The hot path has checked the body already (lib/http.ts).
        const nul = where === 'body' && bodyFreeOfNul ? undefined : findNul(value, where);
        if (nul) throw new HttpError(400, `invalid input: ${nul} ${NUL_MESSAGE}`);
        const r = schema.safeParse(value ?? {});
        if (!r.success) throw new HttpError(400, `invalid ${where}: ${describeIssues(r.error)}`);
        return r.data;
      };
      const params = parse(def.params, rawParams, 'path');
      const query = def.query ? parse(def.query, req.query, 'query') : undefined;
      const body = parse(def.body, rawBody, 'body');
      const out = await handler({ params, query, body, user: req.user!, req });
      return { status: out.status ?? 200, body: out.body, headers: out.headers };
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return { status: err.status, body: { error: err.message }, ...(err.retryAfter ? { headers: { 'retry-after': String(err.retryAfter) } } : {}) };
    }
  }

  /** The OpenAPI 3.1 document of every route declared so far. */
  openApi(info: { title: string; version: string; description?: string }): Record<string, unknown> {
    const json = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const errorSchema = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] };
    const paths: Record<string, Record<string, unknown>> = {};
    for (const d of this.defs) {
      const path = d.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const parameters: unknown[] = [];
      const addParams = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
        if (!schema) return;
        const s = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, prop] of Object.entries(s.properties ?? {})) {
          parameters.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop });
        }
      };
      addParams(d.params, 'path');
      addParams(d.query, 'query');
      const responses: Record<string, unknown> = {
        [d.method === 'post' && d.path.endsWith('/users') ? '201' : '200']: {
          description: 'OK', ...(d.response ? { content: { 'application/json': { schema: json(d.response) } } } : {}),
        },
        400: { description: 'Invalid input', content: { 'application/json': { schema: errorSchema } } },
      };
      if (d.auth !== false) {
        responses[401] = { description: 'No valid bearer token', content: { 'application/json': { schema: errorSchema } } };
        responses[403] = { description: 'Forbidden by the role matrix', content: { 'application/json': { schema: errorSchema } } };
      }
      if (d.path.includes(':id')) responses[404] = { description: 'Not found', content: { 'application/json': { schema: errorSchema } } };
      if (d.path.startsWith('/api/v1/cases/:id/')) responses[409] = { description: 'Stale expectedVersion or wrong status', content: { 'application/json': { schema: errorSchema } } };
      if (d.path === '/api/v1/auth/login') responses[429] = { description: 'Too many failed attempts', content: { 'application/json': { schema: errorSchema } } };
      (paths[path] ??= {})[d.method] = {
        tags: [d.tag],
        summary: d.summary,
        ...(d.roles ? { description: `Roles: ${d.roles}` } : {}),
        ...(d.auth !== false ? { security: [{ bearer: [] }] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(d.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(d.body) } } } } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info,
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      paths,
    };
  }
}
