/**
 * The one OpenAPI document held to the routes the app actually registered (its router stack and hot routes), with
 * every role and every channel on: no JSON route can be served undocumented, nothing is documented that is not
 * served, each operation states the refusals its declaration implies, and a path answers a method it does not
 * serve with 405 and Allow.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Otklik } from '../../main.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { startTestSystem } from '../support.js';

/** HTML pages, their scripts and downloads: what a browser navigates to, not the JSON API. */
const PAGES = [
  'GET /',
  'GET /login',
  'POST /login',
  'POST /logout',
  'GET /inbox',
  'GET /desk',
  'GET /cases',
  'GET /cases/:id',
  'GET /analytics',
  'GET /report/weekly',
  'GET /problem',
  'GET /routing',
  'GET /polls',
  'GET /polls/:id',
  'GET /polls/:id/results',
  'GET /polls/:id/results.csv',
  'GET /polls/:id/results.xlsx',
  'GET /assets/echarts.min.js',
  'GET /assets/js/:name',
  'GET /polls-assets/echarts.min.js',
  'GET /polls-assets/:name',
  'GET /widget.js',
  'GET /favicon.ico',
  'GET /admin',
  'GET /admin/organizations',
  'GET /admin/staff',
  'GET /admin/channels',
  'GET /admin/region',
  'GET /admin/polls',
  'GET /admin/audit',
  'GET /activity',
  'GET /invite/:token',
  // The citizen's status page and its HTML forms (a redirect back to the page answers them).
  'GET /status/:number',
  'POST /status/:number/rating',
  'POST /status/:number/repeat-review',
];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const SAMPLE = '00000000-0000-4000-8000-000000000000';

type Operation = { tags: string[]; parameters?: { name: string; in: string }[]; requestBody?: unknown; security?: Record<string, unknown>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Document = { openapi: string; paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { securitySchemes: Record<string, unknown> } };

const asOpenApi = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

describe('the OpenAPI document and the routes served', () => {
  let system: Otklik;
  let telegram: FakeTelegram;
  let doc: Document;
  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: '123:openapi' });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: 'conf',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      TELEGRAM_BOT_TOKEN: '123:openapi',
      TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      WIDGET_ALLOWED_ORIGINS: 'https://site.example',
      OTKLIK_METRICS_TOKEN: 'scrape-me',
      MAX_BOT_TOKEN: 'max-openapi',
      MAX_WEBHOOK_SECRET: 'max-secret',
      MAX_API_BASE_URL: 'http://127.0.0.1:9',
      OK_GROUPS: '111:ok-group-key',
      OK_WEBHOOK_SECRET: 'ok-secret-0123456789abcdef',
    });
    const res = await fetch(`${system.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
  });
  afterAll(async () => {
    await system?.stop();
    await telegram?.close();
  });

  const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })));

  it('is a valid OpenAPI 3.1 document', async () => {
    // The validator resolves references in place; the tests below read the document as served.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('documents every route the app serves except pages, and serves every route it documents', () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = new Set(system.routes!().flatMap((r) => r.methods.filter((m) => m !== 'OPTIONS' && m !== 'HEAD').map((m) => `${m} ${r.path}`)));
    for (const page of PAGES) expect(served, `${page} is served`).toContain(page);
    const api = new Set([...served].filter((r) => !PAGES.includes(r)).map((r) => {
      const [m, p] = r.split(' ');
      return `${m} ${asOpenApi(p!)}`;
    }));
    const documented = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
    expect([...api].filter((r) => !documented.has(r)), 'served but not documented').toEqual([]);
    expect([...documented].filter((r) => !api.has(r)), 'documented but not served').toEqual([]);
    // What issue #16 found missing from the workflow's own document.
    for (const p of ['/api/v1/contact-center/calls', '/api/v1/messages', '/api/v1/ingest/stats', '/api/v1/analytics/volume', '/api/v1/analytics/summary',
      '/api/v1/dashboard/inbox', '/api/v1/dashboard/export/{panel}.svg', '/api/v1/public/polls/{id}/votes', '/api/v1/polls/{id}/push', '/webhooks/telegram',
      '/webhooks/vk', '/api/v1/widget/messages', '/healthz', '/metrics'])
    {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('states for every operation the refusals its declaration implies, and its path parameters', () => {
    for (const { path, method, op } of operations()) {
      const label = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses);
      const params = op.parameters ?? [];
      if (params.length || op.requestBody) expect(statuses, `${label}: 400`).toContain('400');
      if (op.requestBody) expect(statuses, `${label}: 413`).toContain('413');
      if (op.security?.some((s) => 'bearer' in s)) expect(statuses, `${label}: 401 and 403`).toEqual(expect.arrayContaining(['401', '403']));
      for (const s of op.security ?? []) {
        for (const scheme of Object.keys(s)) expect(doc.components.securitySchemes, `${label}: ${scheme}`).toHaveProperty(scheme);
      }
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        expect(params.some((p) => p.in === 'path' && p.name === name), `${label}: path parameter ${name}`).toBe(true);
      }
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) >= 400) expect(r.content?.['application/json']?.schema, `${label}: ${status} body`).toBeDefined();
      }
      const success = statuses.filter((s) => s.startsWith('2') || s.startsWith('3'));
      expect(success.length, `${label}: a success`).toBeGreaterThan(0);
      // Every route, the workflow's, routing's and the polls' alike, describes the body of its success.
      for (const status of success.filter((s) => s.startsWith('2'))) {
        const content = op.responses[status]!.content ?? {};
        expect(Object.keys(content).length, `${label}: a ${status} body`).toBeGreaterThan(0);
        for (const [type, media] of Object.entries(content)) expect(media.schema, `${label}: ${status} ${type} schema`).toBeDefined();
      }
    }
  });

  it('names the statuses the channels and limits answer', () => {
    const responses = (path: string, method: (typeof METHODS)[number]) => Object.keys(doc.paths[path]![method]!.responses);
    expect(responses('/api/v1/contact-center/calls', 'post')).toEqual(expect.arrayContaining(['202', '400', '401', '413', '503']));
    expect(doc.paths['/api/v1/contact-center/calls']!.post!.security).toEqual([{ contactCenterSignature: [] }]);
    expect(responses('/api/v1/widget/messages', 'post')).toEqual(expect.arrayContaining(['202', '400', '403', '413', '429', '503']));
    expect(responses('/webhooks/telegram', 'post')).toEqual(expect.arrayContaining(['200', '400', '403', '503']));
    expect(responses('/api/v1/dashboard/cases/{id}/correction', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '413']));
    expect(responses('/api/v1/auth/login', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '413', '429']));
    expect(responses('/api/v1/cases/{id}/approve', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '413']));
    expect(responses('/api/v1/users', 'post')).toEqual(expect.arrayContaining(['201', '409']));
    expect(responses('/api/v1/public/polls/{id}/votes', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '404', '409', '413', '429']));
    expect(responses('/api/v1/public/polls/{id}/comments', 'post')).toEqual(expect.arrayContaining(['201', '401', '404', '409', '429']));
    expect(responses('/api/v1/public/identity/code', 'post')).toEqual(expect.arrayContaining(['201', '400', '429']));
    expect(responses('/api/v1/polls/{id}/push', 'post')).toEqual(expect.arrayContaining(['202', '404', '409', '503']));
    expect(responses('/api/v1/polls/{id}/status', 'post')).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(responses('/api/v1/organizations/{id}/code', 'put')).toEqual(expect.arrayContaining(['200', '404', '409']));
    // Nothing guessed from the path: a list under an id states no 404 it cannot answer.
    expect(responses('/api/v1/polls/{id}/votes', 'get')).not.toContain('404');
    expect(Object.keys(doc.paths['/api/v1/analytics/volume']!.get!.responses['200']!.content!))
      .toEqual(['application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    expect(Object.keys(doc.paths['/api/v1/dashboard/export/{panel}.svg']!.get!.responses['200']!.content!)).toEqual(['image/svg+xml']);
    expect(responses('/metrics', 'get')).toEqual(['200', '401']);
  });

  it('answers a method a path does not serve with 405 and Allow, on API paths and pages alike', async () => {
    // A URL can match more than one documented path (`/api/v1/polls/openapi.json` is also `/api/v1/polls/{id}`).
    const pattern = (path: string) => new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const methodsAt = (url: string) =>
      Object.entries(doc.paths).filter(([p]) => pattern(p).test(url))
        .flatMap(([, item]) => METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()));
    for (const path of Object.keys(doc.paths)) {
      const url = path.replace(/\{[^}]+\}/g, SAMPLE);
      const served = [...new Set(methodsAt(url))];
      const missing = ['DELETE', 'PUT', 'PATCH', 'POST'].find((m) => !served.includes(m))!;
      const res = await fetch(`${system.url}${url}`, { method: missing });
      expect(res.status, `${missing} ${path}`).toBe(405);
      const allow = [...served, ...(served.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort();
      expect(res.headers.get('allow'), `${missing} ${path}`).toBe(allow.join(', '));
      expect(typeof ((await res.json()) as { error?: unknown }).error).toBe('string');
    }
    const page = await fetch(`${system.url}/inbox`, { method: 'POST' });
    expect([page.status, page.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
    await page.arrayBuffer();
    const nowhere = await fetch(`${system.url}/api/v1/nowhere`, { method: 'DELETE' });
    expect(nowhere.status).toBe(404);
    await nowhere.arrayBuffer();
  });

  it("leads the polls' former document address to the one document", async () => {
    const res = await fetch(`${system.url}/api/v1/polls/openapi.json`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([308, '/api/v1/openapi.json']);
    await res.arrayBuffer();
  });
});
