/**
 * The OpenAPI 3.1 document of a process, made from the declarations of its ApiBuilders (lib/api-builder.ts): one
 * document for every JSON route the process serves, whichever stage declared it.
 */
import { z } from 'zod';
import type { ApiBuilder, ChannelCredential, ErrorStatus, RouteDef } from './api-builder.js';

export interface DocumentInfo {
  title: string;
  version: string;
  description?: string;
}

const SECURITY_SCHEMES: Record<'bearer' | ChannelCredential, Record<string, unknown>> = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A token from POST /api/v1/auth/login. The dashboard's HttpOnly session cookie is accepted too; a change made with it needs the header X-Requested-With: otklik.",
  },
  contactCenterSignature: { type: 'apiKey', in: 'header', name: 'X-Signature',
    description: 'sha256=<hex HMAC-SHA256 of the raw body, keyed with CONTACT_CENTER_SECRET>' },
  telegramSecret: { type: 'apiKey', in: 'header', name: 'X-Telegram-Bot-Api-Secret-Token', description: 'TELEGRAM_WEBHOOK_SECRET, as given to setWebhook' },
  maxSecret: { type: 'apiKey', in: 'header', name: 'X-Max-Bot-Api-Secret', description: 'MAX_WEBHOOK_SECRET, as given to POST /subscriptions' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'OTKLIK_METRICS_TOKEN' },
};

const errorSchema = { $ref: '#/components/schemas/Error' };

const GENERIC: Record<ErrorStatus | 400 | 413, string> = {
  400: 'Invalid input; `error` names the field and the rule',
  401: 'No valid bearer token or session cookie',
  403: 'Forbidden for this user (the role matrix), or a cookie-authenticated change without X-Requested-With',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Request body is too large',
  429: 'Too many requests; Retry-After says when to try again',
  503: 'A dependency is unavailable or off; retry later',
};

/** The JSON Schema of what a client sends or receives; the document's dialect is declared once, not in each schema. */
function json(s: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return schema;
}

/** `/api/v1/cases/:id` → `/api/v1/cases/{id}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

function errorResponses(d: RouteDef): Record<string, unknown> {
  // Every route declares the refusals its handler and guard can answer; nothing is guessed from the path.
  const declared = Array.isArray(d.errors) ? Object.fromEntries(d.errors.map((s) => [s, GENERIC[s]])) : d.errors;
  const hasInput = Boolean(d.params || d.query || d.body || d.bodyFormat === 'raw');
  const hasBody = Boolean(d.body || d.bodyFormat === 'raw');
  const statuses: Record<string, string> = {
    ...(hasInput ? { 400: GENERIC[400] } : {}),
    ...(d.auth !== false ? { 401: GENERIC[401], 403: GENERIC[403] } : {}),
    ...(hasBody ? { 413: `${GENERIC[413]} (over ${Math.round((d.bodyLimit ?? 0) / 1024)} KiB)` } : {}),
    ...declared,
  };
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, {
    description,
    ...(status === '429' ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } } : {}),
    content: { 'application/json': { schema: errorSchema } },
  }]));
}

function successResponse(d: RouteDef): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (d.response) content['application/json'] = { schema: json(d.response, 'output') };
  for (const [type, description] of Object.entries(d.produces ?? {})) {
    content[type] = { schema: { type: 'string', description, ...(type.startsWith('text/') || type.includes('svg') ? {} : { format: 'binary' }) } };
  }
  const status = d.status ?? 200;
  const description = status >= 300 && status < 400 ? 'Moved: the Location header says where' : 'Success';
  return { [status]: { description, ...(Object.keys(content).length ? { content } : {}) } };
}

function otherResponses(d: RouteDef): Record<string, unknown> {
  return Object.fromEntries(Object.entries(d.otherResponses ?? {}).map(([status, r]) => [status, {
    description: r.description,
    ...(r.schema ? { content: { 'application/json': { schema: json(r.schema, 'output') } } } : {}),
  }]));
}

function parameters(d: RouteDef): unknown[] {
  const out: unknown[] = [];
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const s = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop });
    }
  };
  add(d.params, 'path');
  add(d.query, 'query');
  return out;
}

function operation(d: RouteDef): Record<string, unknown> {
  const description = [d.roles ? `Roles: ${d.roles}.` : '', d.description ?? ''].filter(Boolean).join(' ');
  const params = parameters(d);
  return {
    tags: [d.tag],
    summary: d.summary,
    ...(description ? { description } : {}),
    ...(d.auth !== false ? { security: [{ bearer: [] }] } : d.credential ? { security: [{ [d.credential]: [] }] } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(d.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(d.body) } } } } : {}),
    responses: { ...successResponse(d), ...errorResponses(d), ...otherResponses(d) },
  };
}

/**
 * The document of every route the builders declared. Express answers a method and path with its first
 * registration, so when two builders declare the same one the first declaration describes it.
 */
export function openApiDocument(builders: readonly ApiBuilder[], info: DocumentInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemes = new Set<keyof typeof SECURITY_SCHEMES>(['bearer']);
  for (const builder of builders) {
    for (const d of builder.definitions()) {
      const item = (paths[openApiPath(d.path)] ??= {});
      if (item[d.method]) continue;
      item[d.method] = operation(d);
      if (d.credential) schemes.add(d.credential);
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info,
    servers: [{ url: '/' }],
    components: {
      schemas: { Error: { type: 'object', properties: { error: { type: 'string', description: 'What was wrong, in words' } }, required: ['error'] } },
      securitySchemes: Object.fromEntries([...schemes].map((s) => [s, SECURITY_SCHEMES[s]])),
    },
    paths,
  };
}
