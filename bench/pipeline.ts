/**
 * End-to-end throughput of posts (ingest → classify → workflow → ClickHouse) beside the bare BullMQ ceiling (jobs/s
 * through one queue with an empty processor) measured in the same run on the same Redis, plus ingest→visible
 * latency percentiles. Three phases on one whole Otklik (all roles, one process):
 *  1. burst: N posts handed to `intake.acceptMany` in pages of 100 (the path of VK pollers and the 122 importer)
 *     as fast as it takes them; throughput = posts / time until the last case is created / visible in ClickHouse;
 *  2. paced: posts at half the burst throughput for a while, for latency without a self-made queue in front;
 *  3. HTTP: call cards posted one by one to the 122 webhook (one job per message, the single-message path).
 * `--workers N` adds N processes running the `classify,workflow` roles against the same stores, as a scaled-out
 * deployment adds them on other cores: the same phases then show how far more processes carry on this machine.
 * Latency of a post = ClickHouse `inserted_at` of its case.created row − the moment its page was handed to intake
 * (the post's receivedAt, carried in its message.received event): accepted → classified → registered → relayed →
 * stored and queryable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { normalizeCallCard, signBody } from '../ingest/contact-center.js';
import type { Intake } from '../ingest/intake.js';
import { loadConfig, ROLES } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import type { IncomingMessage } from '../lib/queues.js';
import { ensurePostgres } from '../lib/runtime/postgres.js';
import { ensureRedis } from '../lib/runtime/redis.js';
import { startOtklik, type Otklik } from '../main.js';
import type { BenchResult } from './index.js';

const N = 50_000;
const PAGE = 100;
const PACED_SECONDS = 20;
const HTTP_N = 2000;
const HTTP_CONCURRENCY = 64;
const CEILING_N = 50_000;

const TEXTS = [
  'Во дворе дома не вывозят мусор уже неделю, контейнеры переполнены',
  'На дороге по улице Мира огромная яма, машины объезжают по встречной',
  'В подъезде не работает лифт третий день, пожилые жильцы не могут выйти',
  'Автобус 52 маршрута не ходит по расписанию, люди мёрзнут на остановке',
  'В поликлинике невозможно записаться к терапевту, талонов нет',
  'Просим установить детскую площадку во дворе дома 7 по улице Лесной',
];

// Posts are composed from pools so that they are as varied as real ones: the classifier's incident index compares
// each post with the similar posts of its municipality, and a stream of near-identical texts would measure that
// comparison (one mass incident of 50,000 posts) instead of the pipeline.
const PROBLEMS = [
  'не вывозят мусор, контейнеры переполнены',
  'огромная яма на проезжей части',
  'не работает лифт, пожилые жильцы не могут выйти',
  'автобус не ходит по расписанию',
  'нет горячей воды',
  'в квартирах холодно, батареи еле тёплые',
  'не горят фонари, вечером темно',
  'прорвало трубу, вода течёт по тротуару',
  'сосульки свисают с крыши над входом',
  'не убран снег, машины буксуют',
  'бродячие собаки нападают на детей',
  'разбит павильон остановки',
  'протекает крыша на пятом этаже',
  'сломаны качели на детской площадке',
  'невозможно записаться к терапевту',
  'шумят строители по ночам',
  'затопило подвал, пахнет сыростью',
  'упало дерево на провода',
];
const STREETS = ['Мира', 'Ленина', 'Лесной', 'Красной Армии', 'Карла Маркса', 'Взлётной', 'Молокова', 'Весны', 'Партизана Железняка', 'Судостроительной',
  'Матросова', 'Свободной', 'Киренского', 'Академгородка', 'Высотной', 'Копылова', 'Робеспьера', 'Дубровинского', 'Маерчака', 'Щорса', 'Тельмана', 'Ястынской',
  'Урванцева', 'Парижской Коммуны'];
const DETAILS = ['уже неделю', 'третий день', 'с понедельника', 'второй месяц', 'после ремонта', 'каждую ночь', 'с начала зимы',
  'управляющая компания не отвечает', 'звонили в диспетчерскую, без толку', 'просим принять меры', 'жалуемся не первый раз', 'дети ходят в школу мимо',
  'пенсионеры не могут выйти из дома', 'прошу разобраться срочно'];
const MUNICIPALITIES = ['город Красноярск', 'город Ачинск', 'город Канск', 'город Минусинск', 'город Норильск', 'Емельяновский район', 'Берёзовский район',
  'город Железногорск', 'город Лесосибирск', 'Шушенский район'];
const pick = <T>(list: T[], i: number, salt: number) => list[Math.abs(Math.imul(i + 1, 2654435761) ^ salt) % list.length]!;

export function postText(i: number): string {
  return `На улице ${pick(STREETS, i, 11)}, дом ${(i % 97) + 1}: ${pick(PROBLEMS, i, 23)}, ${pick(DETAILS, i, 37)}. ${pick(DETAILS, i, 51)}.`;
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what = 'bench condition') {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench timed out waiting for ${what}`);
}

export async function bullmqCeiling(redisUrl: string, n: number): Promise<number> {
  const name = `ceiling-${Date.now()}`;
  const queue = new Queue(name, { connection: { url: redisUrl } });
  let done = 0;
  const worker = new Worker(name, async () => {
    done++;
  }, { connection: { url: redisUrl, maxRetriesPerRequest: null }, concurrency: 100, autorun: false });
  const jobs = Array.from({ length: n }, (_, i) => ({ name: 'j', data: { i }, opts: { removeOnComplete: true } }));
  const started = performance.now();
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  void worker.run();
  await waitUntil(async () => done >= n, 300_000, 'the ceiling queue');
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return n / seconds;
}

/** A post like the ones a poller or importer pages through; `receivedAt` is when it is handed to intake. */
export function buildPost(run: string, i: number, receivedAt: string): IncomingMessage {
  return normalizeCallCard({
    callId: `${run}-${i}`,
    receivedAt,
    text: postText(i),
    phone: `+7391${String(1_000_000 + (i % 9_000_000))}`,
    municipality: pick(MUNICIPALITIES, i, 71),
  }, 'bench-salt');
}

/** Hands posts [from, to) to intake in pages of PAGE. */
export async function feedPages(intake: Intake, run: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += PAGE) {
    const at = new Date().toISOString();
    const page = Array.from({ length: Math.min(PAGE, to - i) }, (_, k) => buildPost(run, i + k, at));
    const r = await intake.acceptMany(page);
    if (r.accepted !== page.length) throw new Error(`page at ${i}: ${r.duplicates} unexpected duplicates`);
  }
}

export async function countCases(system: Otklik): Promise<number> {
  return Number((await system.db.query<{ n: string }>('select count(*) as n from cases')).rows[0]!.n);
}

export async function visibleCases(system: Otklik): Promise<number> {
  const r = await system.ch!.query({ query: "SELECT toUInt32(count()) AS n FROM events WHERE type = 'case.created'", format: 'JSONEachRow' });
  return Number((await r.json<{ n: number }>())[0]?.n ?? 0);
}

/** p50/p95/p99 (ms) of case.created inserted_at − message.received at, over posts received in [from, to). */
export async function latency(system: Otklik, from: string, to: string): Promise<{ n: number; p50: number; p95: number; p99: number }> {
  const r = await system.ch!.query({
    query: `SELECT toUInt32(count()) AS n, quantilesExact(0.5, 0.95, 0.99)(dateDiff('millisecond', r.at, c.inserted_at)) AS q
              FROM (SELECT message_id, at FROM events WHERE type = 'message.received' AND at >= {from:DateTime64(3)} AND at < {to:DateTime64(3)}) AS r
              INNER JOIN (SELECT message_id, min(inserted_at) AS inserted_at FROM events WHERE type = 'case.created' GROUP BY message_id) AS c
              USING message_id`,
    query_params: { from: from.replace('T', ' ').replace('Z', ''), to: to.replace('T', ' ').replace('Z', '') },
    format: 'JSONEachRow',
  });
  const row = (await r.json<{ n: number; q: number[] }>())[0]!;
  return { n: Number(row.n), p50: Number(row.q[0] ?? 0), p95: Number(row.q[1] ?? 0), p99: Number(row.q[2] ?? 0) };
}

export interface BenchStores {
  dir: string;
  redisUrl: string;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function startStores(tag: string): Promise<BenchStores> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `otklik-${tag}-`));
  fs.chmodSync(dir, 0o755);
  // The stores' own data dir is owner-only; as root PostgreSQL's cluster goes beside it, where its user can pass.
  const storesDir = path.join(dir, 'stores');
  const redis = await ensureRedis({ dataDir: storesDir });
  const postgres = await ensurePostgres({ dataDir: storesDir, systemDir: path.join(dir, 'pg-system') }).catch(async (err: unknown) => {
    await redis.stop();
    throw err;
  });
  return {
    dir,
    redisUrl: redis.url,
    databaseUrl: postgres.connectionString,
    async close() {
      await postgres.stop();
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBenchSystem(stores: BenchStores): Promise<Otklik> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OTKLIK_DATA_DIR: stores.dir,
    REDIS_URL: stores.redisUrl,
    DATABASE_URL: stores.databaseUrl,
    CONTACT_CENTER_SECRET: 'bench',
    OTKLIK_ADMIN_PASSWORD: 'bench-password',
  });
  const system = await startOtklik(config, [...ROLES], createLogger('silent'));
  // The intake's Redis connection fails fast instead of queueing commands: feed only once it is up.
  await waitUntil(() => system.ingest!.intake.seen('00000000-0000-0000-0000-000000000000').then(() => true, () => false), 15_000, 'intake Redis');
  return system;
}

/** A process running the worker roles against the bench's stores (ClickHouse stays in the bench's own process). */
function spawnWorkerProcess(stores: BenchStores, index: number): ChildProcess {
  const child = spawn(process.execPath, ['bin/otklik.mjs', 'start', '--roles', 'classify,workflow'], {
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OTKLIK_DATA_DIR: path.join(stores.dir, `worker-${index}`),
      REDIS_URL: stores.redisUrl,
      DATABASE_URL: stores.databaseUrl,
      CONTACT_CENTER_SECRET: 'bench',
      OTKLIK_ADMIN_PASSWORD: 'bench-password',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopProcesses(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.filter((c) => c.exitCode === null).map((c) =>
    new Promise((resolve) => {
      c.once('exit', resolve);
      c.kill('SIGTERM');
    })
  ));
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Busy and total CPU time of the whole machine (every process: Redis, PostgreSQL, Otklik), in clock ticks; Linux only. */
function machineTicks(): { busy: number; total: number } | undefined {
  if (!fs.existsSync('/proc/stat')) return undefined;
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  // idle and iowait are the only columns that are not work.
  return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
}

export default async function run(options: Record<string, string> = {}): Promise<BenchResult> {
  const workers = options.workers === undefined ? 0 : Number(options.workers);
  if (!Number.isInteger(workers) || workers < 0) throw new Error('--workers takes a whole number of extra worker processes (0 or more)');
  const stores = await startStores('bench');
  const children: ChildProcess[] = [];
  try {
    const ceiling = await bullmqCeiling(stores.redisUrl, CEILING_N);
    const system = await startBenchSystem(stores);
    for (let i = 0; i < workers; i++) children.push(spawnWorkerProcess(stores, i));
    // Each process has one worker on each queue it serves: all of them are up when the incoming queue counts them.
    await waitUntil(async () => (await system.queues.incoming.getWorkersCount()) >= 1 + workers, 120_000, 'the worker processes');
    const intake = system.ingest!.intake;
    const rssBefore = process.memoryUsage().rss;

    // 1. Burst.
    const burstFrom = new Date().toISOString();
    const ticksBefore = machineTicks();
    const started = performance.now();
    await feedPages(intake, 'burst', 0, N);
    const acceptedSeconds = (performance.now() - started) / 1000;
    await waitUntil(async () => (await countCases(system)) >= N, 600_000, 'burst cases');
    const casesSeconds = (performance.now() - started) / 1000;
    await waitUntil(async () => (await visibleCases(system)) >= N, 600_000, 'burst cases in ClickHouse');
    const visibleSeconds = (performance.now() - started) / 1000;
    const ticksAfter = machineTicks();
    const burstTo = new Date().toISOString();
    const e2e = N / visibleSeconds;
    const burstLatency = await latency(system, burstFrom, burstTo);

    // 2. Paced at half the burst throughput, one page every PAGE / rate seconds.
    const rate = Math.max(PAGE, Math.floor(e2e / 2));
    const pacedN = Math.floor(rate * PACED_SECONDS / PAGE) * PAGE;
    const pacedFrom = new Date().toISOString();
    const pacedStart = performance.now();
    for (let i = 0; i < pacedN; i += PAGE) {
      const due = pacedStart + (i / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await feedPages(intake, 'paced', i, i + PAGE);
    }
    await waitUntil(async () => (await visibleCases(system)) >= N + pacedN, 300_000, 'paced cases in ClickHouse');
    const pacedTo = new Date().toISOString();
    const pacedLatency = await latency(system, pacedFrom, pacedTo);

    // 3. HTTP call cards, one job per message.
    const httpBase = await visibleCases(system);
    const casesBase = await countCases(system);
    const httpStart = performance.now();
    let next = 0;
    const postOne = async (i: number) => {
      const body = JSON.stringify({ callId: `http-${i}`, receivedAt: new Date().toISOString(), text: `${TEXTS[i % TEXTS.length]} (${i})`,
        phone: `+7391${String(1_000_000 + i)}` });
      const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody('bench', body) }, body });
      if (res.status !== 202) throw new Error(`post ${i}: ${res.status}`);
    };
    await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, async () => {
      while (next < HTTP_N) await postOne(next++);
    }));
    const httpAccepted = (performance.now() - httpStart) / 1000;
    await waitUntil(async () => (await countCases(system)) >= casesBase + HTTP_N, 300_000, 'HTTP cases');
    const httpCases = (performance.now() - httpStart) / 1000;
    await waitUntil(async () => (await visibleCases(system)) >= httpBase + HTTP_N, 300_000, 'HTTP cases in ClickHouse');
    const httpVisible = (performance.now() - httpStart) / 1000;

    const cores = os.cpus().length;
    // Where the ratio stands against the hardware: every process's CPU per post in the burst, beside what a post may cost
    // if the machine's cores are to carry half the ceiling.
    const coresBusy = ticksBefore && ticksAfter ? cores * (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total) : undefined;
    const machine = coresBusy === undefined ? undefined : {
      cores,
      coresBusy: Number(coresBusy.toFixed(2)),
      cpuMsPerPost: Number((coresBusy * visibleSeconds * 1000 / N).toFixed(3)),
      cpuMsPerPostAtHalfCeiling: Number((cores * 1000 / (ceiling / 2)).toFixed(3)),
    };
    const rssAfter = process.memoryUsage().rss;
    await stopProcesses(children);
    await system.stop();
    const scaled = workers > 0 ? ` [+${workers} classify,workflow process${workers > 1 ? 'es' : ''}]` : '';
    const row = (measure: string, perSecond: number, lat?: { p50: number; p95: number; p99: number }) => ({
      measure: measure.startsWith('BullMQ') ? measure : `${measure}${scaled}`,
      'per second': Math.round(perSecond),
      p50_ms: lat?.p50 ?? '',
      p95_ms: lat?.p95 ?? '',
      p99_ms: lat?.p99 ?? '',
    });
    return {
      rows: [
        row(`BullMQ ceiling (${CEILING_N} empty jobs, concurrency 100)`, ceiling),
        row(`pages of ${PAGE}: accepted by intake.acceptMany`, N / acceptedSeconds),
        row(`pages of ${PAGE}: cases created in PostgreSQL`, N / casesSeconds),
        row(`pages of ${PAGE}: end to end, visible in ClickHouse (burst of ${N})`, e2e, burstLatency),
        row(`pages of ${PAGE}: paced at ${rate}/s for ${PACED_SECONDS} s (${pacedN} posts)`, rate, pacedLatency),
        row(`HTTP call cards (${HTTP_N}, ${HTTP_CONCURRENCY} at once): accepted`, HTTP_N / httpAccepted),
        row('HTTP call cards: cases created', HTTP_N / httpCases),
        row('HTTP call cards: end to end, visible in ClickHouse', HTTP_N / httpVisible),
      ],
      summary: {
        posts: N,
        extraWorkerProcesses: workers,
        ceilingJobsPerSecond: Math.round(ceiling),
        endToEndPostsPerSecond: Math.round(e2e),
        casesPerSecond: Math.round(N / casesSeconds),
        ratio: Number((e2e / ceiling).toFixed(3)),
        ...(machine ? { machineDuringBurst: machine } : {}),
        latencyMs: { burst: burstLatency, paced: { rate, ...pacedLatency } },
        latencyMeasures: 'ClickHouse inserted_at of case.created minus the moment the post was handed to intake',
        httpEndToEndPerSecond: Math.round(HTTP_N / httpVisible),
        rssMiB: { before: mib(rssBefore), after: mib(rssAfter) },
      },
    };
  } finally {
    await stopProcesses(children);
    await stores.close();
  }
}
