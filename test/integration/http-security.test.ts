/**
 * The HTTP shell's own guards: /metrics is not public unless opened, its token is checked, cookies are Secure when
 * the site is served over HTTPS (configured, or a trusted proxy's X-Forwarded-Proto), and the client address the
 * per-IP limits use comes from X-Forwarded-For only through a trusted proxy. A failed request's log names its route,
 * never a secret carried in its path.
 */
import type http from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiBuilder } from '../../lib/api-builder.js';
import { closeServer, createHttpApp, listen } from '../../lib/http.js';
import { createLogger } from '../../lib/logger.js';
import { createMetrics } from '../../lib/metrics.js';
import { sink } from '../sink.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await closeServer(s);
});

async function serve(opts: Partial<Parameters<typeof createHttpApp>[0]> = {}): Promise<string> {
  const router = express.Router();
  router.get('/set-cookies', (req, res) => {
    res.cookie('otklik_token', 'abc', { httpOnly: true, sameSite: 'strict' });
    res.append('set-cookie', 'otklik_voter=xyz; Path=/; HttpOnly');
    res.json({ ip: req.ip, secure: req.secure });
  });
  const app = createHttpApp({ routers: [router], health: {}, logger: createLogger('silent'), metrics: createMetrics(), ...opts });
  const server = await listen(app, 0, '127.0.0.1');
  servers.push(server);
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('/metrics', () => {
  it('is off (404) when neither a token nor METRICS_PUBLIC is configured', async () => {
    const url = await serve();
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer anything' } })).status).toBe(404);
  });

  it('needs the exact bearer token when one is set', async () => {
    const url = await serve({ metricsToken: 'scrape-secret' });
    for (const authorization of [undefined, 'Bearer scrape', 'Bearer scrape-secret-and-more', 'scrape-secret', 'Basic scrape-secret']) {
      const res = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
    }
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/otklik_http_requests_total/);
  });

  it('answers anyone only when explicitly opened', async () => {
    const url = await serve({ metricsPublic: true });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});

describe('cookies and the trusted proxy', () => {
  const cookiesOf = (res: Response) => res.headers.getSetCookie();

  it('are plain over plain HTTP, Secure when configured for HTTPS', async () => {
    const plain = await fetch(`${await serve()}/set-cookies`);
    expect(cookiesOf(plain)).toHaveLength(2);
    for (const c of cookiesOf(plain)) expect(c).not.toMatch(/;\s*Secure/i);
    const https = await fetch(`${await serve({ secureCookies: true })}/set-cookies`);
    expect(cookiesOf(https)).toHaveLength(2);
    for (const c of cookiesOf(https)) expect(c).toMatch(/;\s*Secure/i);
  });

  it("are Secure for a request a trusted proxy says came over HTTPS, and that proxy's client address counts", async () => {
    const url = await serve({ trustProxy: ['loopback'] });
    const res = await fetch(`${url}/set-cookies`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' } });
    for (const c of cookiesOf(res)) expect(c).toMatch(/;\s*Secure/i);
    expect(await res.json()).toEqual({ ip: '203.0.113.5', secure: true });
  });

  it('ignores X-Forwarded-* from a hop that is not trusted', async () => {
    const url = await serve({ trustProxy: false });
    const res = await fetch(`${url}/set-cookies`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' } });
    for (const c of cookiesOf(res)) expect(c).not.toMatch(/;\s*Secure/i);
    expect(await res.json()).toEqual({ ip: '127.0.0.1', secure: false });
  });
});

describe('the log of a request that failed unexpectedly', () => {
  it('names the route, never the secret segment of a webhook address', async () => {
    const secret = 'ok-secret-0123456789abcdef';
    const api = new ApiBuilder();
    // The Одноклассники webhook's address is its credential (ingest/ok/webhook.ts); here its handler has a bug.
    api.route({ method: 'post', path: '/webhooks/ok/:groupId/:secret', tag: 'test', summary: 'fails', auth: false, response: z.object({}), errors: [] },
      async () => {
        throw new Error('a bug');
      });
    const early = express.Router();
    // A failure before any route matched (a middleware of the router): only the path is known then.
    early.use('/webhooks/other', () => {
      throw new Error('an early bug');
    });
    const out = sink();
    const url = await serve({ routers: [early, api.router], apis: [api], logger: createLogger('info', out) });
    expect((await fetch(`${url}/webhooks/ok/111/${secret}`, { method: 'POST' })).status).toBe(500);
    expect((await fetch(`${url}/webhooks/other/111/${secret}`, { method: 'POST' })).status).toBe(500);
    await new Promise((r) => setTimeout(r, 50));
    const lines = out.text().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; path: string });
    expect(lines.filter((l) => l.msg === 'request failed').map((l) => l.path)).toEqual(['/webhooks/ok/:groupId/:secret', '/webhooks/other/[redacted]']);
    expect(out.text()).not.toContain(secret);
  });
});
