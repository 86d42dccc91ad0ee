/**
 * End-to-end throughput of call cards (HTTP → ingest → classify → workflow → ClickHouse) beside the bare BullMQ
 * ceiling (jobs/s through one queue with an empty processor) measured in the same run on the same Redis.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { signBody } from '../ingest/contact-center.js';
import { loadConfig, ROLES } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { freePort } from '../lib/runtime/processes.js';
import { ensurePostgres } from '../lib/runtime/postgres.js';
import { ensureRedis } from '../lib/runtime/redis.js';
import { startOtklik } from '../main.js';
import type { BenchResult } from './index.js';

const N = 5000;
const HTTP_CONCURRENCY = 64;

const TEXTS = [
  'Во дворе дома не вывозят мусор уже неделю, контейнеры переполнены',
  'На дороге по улице Мира огромная яма, машины объезжают по встречной',
  'В подъезде не работает лифт третий день, пожилые жильцы не могут выйти',
  'Автобус 52 маршрута не ходит по расписанию, люди мёрзнут на остановке',
  'В поликлинике невозможно записаться к терапевту, талонов нет',
  'Просим установить детскую площадку во дворе дома 7 по улице Лесной',
];

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('bench timed out');
}

async function bullmqCeiling(redisUrl: string, n: number): Promise<number> {
  const name = `ceiling-${Date.now()}`;
  const queue = new Queue(name, { connection: { url: redisUrl } });
  let done = 0;
  const worker = new Worker(name, async () => { done++; }, { connection: { url: redisUrl, maxRetriesPerRequest: null }, concurrency: 100, autorun: false });
  const jobs = Array.from({ length: n }, (_, i) => ({ name: 'j', data: { i }, opts: { removeOnComplete: true } }));
  const started = performance.now();
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  void worker.run();
  await waitUntil(async () => done >= n, 120_000);
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return n / seconds;
}

export default async function run(): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-bench-'));
  fs.chmodSync(dir, 0o755);
  const redis = await ensureRedis({ dataDir: dir, port: await freePort() });
  const postgres = await ensurePostgres({ dataDir: dir, port: await freePort() });
  try {
    const ceiling = await bullmqCeiling(redis.url, N);
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', OTKLIK_DATA_DIR: dir, REDIS_URL: redis.url,
      DATABASE_URL: postgres.connectionString, CONTACT_CENTER_SECRET: 'bench', OTKLIK_ADMIN_PASSWORD: 'bench-password',
    });
    const system = await startOtklik(config, [...ROLES], createLogger('silent'));
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    let next = 0;
    const postOne = async (i: number) => {
      const body = JSON.stringify({ callId: `bench-${i}`, receivedAt: new Date().toISOString(), text: `${TEXTS[i % TEXTS.length]} (${i})`, phone: `+7391${String(1_000_000 + i)}` });
      const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signBody('bench', body) }, body });
      if (res.status !== 202) throw new Error(`post ${i}: ${res.status}`);
    };
    await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, async () => { while (next < N) await postOne(next++); }));
    const acceptedSeconds = (performance.now() - started) / 1000;
    await waitUntil(async () => Number((await system.db.query('select count(*) from cases')).rows[0].count) >= N, 600_000);
    const casesSeconds = (performance.now() - started) / 1000;
    await waitUntil(async () => {
      const r = await system.ch!.query({ query: "SELECT toUInt32(count()) AS n FROM events FINAL WHERE type = 'case.created'", format: 'JSONEachRow' });
      return Number((await r.json<{ n: number }>())[0]?.n) >= N;
    }, 600_000);
    const visibleSeconds = (performance.now() - started) / 1000;
    const rssAfter = process.memoryUsage().rss;
    await system.stop();
    const e2e = N / visibleSeconds;
    return {
      rows: [
        { measure: 'BullMQ ceiling (empty processor, concurrency 100)', 'per second': Math.round(ceiling) },
        { measure: 'call cards accepted over HTTP', 'per second': Math.round(N / acceptedSeconds) },
        { measure: 'cases created in PostgreSQL', 'per second': Math.round(N / casesSeconds) },
        { measure: 'end to end: visible in ClickHouse', 'per second': Math.round(e2e) },
      ],
      summary: {
        posts: N,
        ceilingJobsPerSecond: Math.round(ceiling),
        endToEndPostsPerSecond: Math.round(e2e),
        ratio: Number((e2e / ceiling).toFixed(3)),
        rssMiB: { before: Math.round(rssBefore / 2 ** 20), after: Math.round(rssAfter / 2 ** 20) },
      },
    };
  } finally {
    await postgres.stop();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
