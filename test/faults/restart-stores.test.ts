import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import { createLogger } from '../../lib/logger.js';
import { ensurePostgres } from '../../lib/runtime/postgres.js';
import { ensureRedis } from '../../lib/runtime/redis.js';
import { startOtklik, type Otklik } from '../../main.js';
import { eventually, testConfig, testDataDir } from '../support.js';

const N = 400;

/** A client like the 122 center's: it retries until the call card is accepted (202). */
async function deliver(system: Otklik, i: number, tally: { accepted: number; refused: number }) {
  const body = JSON.stringify({ callId: `restart-${i}`, receivedAt: new Date().toISOString(), text: `Обращение ${i}: на улице Мира не горят фонари` });
  for (;;) {
    const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body }).catch(() => undefined);
    if (res?.status === 202) {
      tally.accepted++;
      return;
    }
    tally.refused++;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stream(system: Otklik, midway: () => Promise<void>) {
  const tally = { accepted: 0, refused: 0 };
  let next = 0;
  let fired = false;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < N) {
      const i = next++;
      if (i === N / 2 && !fired) {
        fired = true;
        await midway();
      }
      await deliver(system, i, tally);
    }
  }));
  return tally;
}

async function countsOf(system: Otklik) {
  const pgCount = Number(
    (await system.db.query(`select count(*) from cases c join messages m on m.id = c.message_id where m.external_id like 'restart-%'`)).rows[0].count,
  );
  const r = await system.ch!.query({ query: "SELECT toUInt32(count()) AS n, toUInt32(uniqExact(event_id)) AS u FROM events WHERE type = 'case.created'",
    format: 'JSONEachRow' });
  const [row] = await r.json<{ n: number; u: number }>();
  return { pgCount, chRows: Number(row!.n), chDistinct: Number(row!.u) };
}

describe('store restarts mid-stream', () => {
  it('Redis restarted (AOF) in the middle of a stream: every accepted call becomes one case and one count', async () => {
    const dataDir = testDataDir('redis-restart');
    let redis = await ensureRedis({ dataDir });
    const system = await startOtklik(await testConfig({ REDIS_URL: redis.url, OTKLIK_DATA_DIR: dataDir }), ['ingest', 'classify', 'workflow', 'analytics',
      'dashboard'], createLogger('silent'));
    try {
      const tally = await stream(system, async () => {
        await redis.stop();
        redis = await ensureRedis({ dataDir });
      });
      expect(tally.accepted).toBe(N);
      const counts = await eventually(async () => {
        const c = await countsOf(system);
        return c.pgCount === N && c.chDistinct === N ? c : undefined;
      }, 90_000, 'every accepted call as a case and a count');
      expect(counts).toEqual({ pgCount: N, chRows: N, chDistinct: N });
    } finally {
      await system.stop();
      await redis.stop();
    }
  }, 240_000);

  it('PostgreSQL restarted in the middle of a stream: nothing accepted is lost, nothing counted twice', async () => {
    const dataDir = testDataDir('pg-restart');
    let postgres = await ensurePostgres({ dataDir, systemDir: inject('pgSystemDir') });
    const system = await startOtklik(await testConfig({ DATABASE_URL: postgres.connectionString, OTKLIK_DATA_DIR: dataDir }), ['ingest', 'classify', 'workflow',
      'analytics', 'dashboard'], createLogger('silent'));
    try {
      const tally = await stream(system, async () => {
        await postgres.stop();
        expect(fs.existsSync(path.join(postgres.cluster, 'postmaster.pid'))).toBe(false);
        postgres = await ensurePostgres({ dataDir, systemDir: inject('pgSystemDir') });
      });
      expect(tally.accepted).toBe(N);
      const counts = await eventually(async () => {
        const c = await countsOf(system);
        return c.pgCount === N && c.chDistinct === N ? c : undefined;
      }, 120_000, 'every accepted call as a case and a count');
      expect(counts).toEqual({ pgCount: N, chRows: N, chDistinct: N });
    } finally {
      await system.stop();
      await postgres.stop();
    }
  }, 240_000);
});
