/**
 * The net under the request schemas: a value that passes a route's validation but not PostgreSQL (SQLSTATE class 22,
 * a data exception) is the client's error and answers 400, through Express and through a hot route alike; any other
 * failure stays a 500. Also checks, against the real server, that every date-time the shared schema accepts is one
 * PostgreSQL accepts.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, createHttpApp, listen } from '../../lib/http.js';
import { createLogger } from '../../lib/logger.js';
import { isoDateTime, pgInt } from '../../lib/request-schemas.js';
import { createTestDatabase } from '../support.js';

describe('PostgreSQL data errors caused by request input', () => {
  let pool: pg.Pool;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('httperr'), max: 2 });
    const router = express.Router();
    // Routes that hand input to PostgreSQL unchecked: the schemas' gaps these stand for answer 400, not 500.
    router.get('/int/:v', async (req, res) => void res.json((await pool.query('select $1::int as v', [req.params.v])).rows[0]));
    router.get('/at', async (req, res) => void res.json((await pool.query('select $1::timestamptz as at', [req.query.from])).rows[0]));
    router.get('/broken-sql', async (_req, res) => void res.json((await pool.query('selec 1')).rows));
    router.get('/boom', async () => {
      throw new Error('a bug');
    });
    const app = createHttpApp({
      routers: [router],
      health: {},
      logger: createLogger('silent'),
      hot: [{ method: 'POST', path: '/hot/:id', bodyLimit: 1024, handle: async (_req, _params, body) => ({
        status: 200,
        body: (await pool.query('select $1::int as v', [(body as { v: unknown }).v])).rows[0],
      }) }],
    });
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (server) await closeServer(server);
    await pool?.end();
  });

  const answer = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${base}${path}`, init);
    return { status: res.status, error: ((await res.json()) as { error?: string }).error };
  };

  it('answers 400 naming the kind of bad value', async () => {
    expect(await answer('/int/2147483648')).toEqual({ status: 400, error: 'invalid input: a number is out of range' });
    expect(await answer('/int/abc')).toEqual({ status: 400, error: 'invalid input: a value is malformed' });
    expect(await answer(`/at?from=${encodeURIComponent('2026-01-01T00:00:00+16:00')}`)).toEqual({ status: 400,
      error: 'invalid input: a time zone offset is out of range' });
    expect(await answer('/at?from=0000-01-01')).toMatchObject({ status: 400 });
    expect(await answer('/at?from=2026-13-45')).toMatchObject({ status: 400 });
    expect(await answer('/int/7')).toEqual({ status: 200, error: undefined });
  });

  it('answers 400 on a hot route too', async () => {
    const post = (v: unknown) => answer('/hot/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v }) });
    expect(await post(2147483648)).toEqual({ status: 400, error: 'invalid input: a number is out of range' });
    expect((await post(5)).status).toBe(200);
  });

  it('keeps other failures 500s without details', async () => {
    expect(await answer('/broken-sql')).toEqual({ status: 500, error: 'internal error' });
    expect(await answer('/boom')).toEqual({ status: 500, error: 'internal error' });
  });

  it('every date-time the shared schema accepts, PostgreSQL stores', async () => {
    const two = (n: number) => String(n).padStart(2, '0');
    const dateTime = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }), fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([y, mo, d, h, sign, oh, om]) => `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:00:00${sign}${two(oh)}:${two(om)}`);
    let accepted = 0;
    await fc.assert(fc.asyncProperty(dateTime, async (v) => {
      if (!isoDateTime.safeParse(v).success) return;
      accepted++;
      await pool.query('select $1::timestamptz', [v]);
    }), { numRuns: 300 });
    expect(accepted).toBeGreaterThan(50);
    expect(pgInt.safeParse(2147483647).success).toBe(true);
    await pool.query('select $1::int', [2147483647]);
  });
});
