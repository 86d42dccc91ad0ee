/**
 * Vote storm: a paced open-loop load (2,000 votes/s for 60 s, stepping down to 1,000 and 500 when the server falls behind) against the real HTTP vote endpoint of a
 * whole Otklik on loopback, with voter tokens generated directly in the database. Every 20th request repeats an
 * identity that already voted (a deliberate duplicate that must be refused). Reports accepted, refused, lost
 * (accepted but not stored, must be 0), doubles (stored beyond one per identity, must be 0) and latency
 * percentiles, plus the rate actually sustained.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ROLES } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { freePort } from '../lib/runtime/processes.js';
import { ensurePostgres } from '../lib/runtime/postgres.js';
import { ensureRedis } from '../lib/runtime/redis.js';
import { startOtklik } from '../main.js';
import type { BenchResult } from './index.js';

/** Rates tried in turn: the first one absorbed cleanly (none lost, none doubled, no backlog) is the result. */
const RATES = [2000, 1000, 500];
const SECONDS = 60;
const DUPLICATE_EVERY = 20;
/** A stage gives up when this many seconds of requests are waiting for answers: the server fell behind. */
const MAX_BACKLOG_SECONDS = 3;
/** After the last request, answers still missing after this long count as errors. */
const DRAIN_MS = 15_000;
/** The whole bench never runs longer than this, whatever happens; servers are stopped either way. */
const HARD_DEADLINE_MS = 15 * 60_000;

function post(agent: http.Agent, url: URL, body: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-voter-token': token } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

interface Stage {
  rate: number;
  row: Record<string, string | number>;
  clean: boolean;
}

async function stage(system: Awaited<ReturnType<typeof startOtklik>>, rate: number, deadline: number): Promise<Stage> {
  const db = system.db;
  const poll = await db.query<{ id: string }>(`insert into polls (title, status) values ($1, 'open') returning id`, [`Бенчмарк ${rate}/с`]);
  const pollId = poll.rows[0]!.id;
  const q = await db.query<{ id: string }>(`insert into poll_questions (poll_id, position, kind, text) values ($1, 0, 'single', 'Вопрос') returning id`, [pollId]);
  const questionId = q.rows[0]!.id;
  const opts = await db.query<{ id: string }>(`insert into poll_options (question_id, position, text) select $1, g, 'Вариант ' || g from generate_series(1, 4) g returning id`, [questionId]);
  const optionIds = opts.rows.map((r) => r.id);

  const total = rate * SECONDS;
  const unique = total - Math.floor(total / DUPLICATE_EVERY);
  const tokens: string[] = [];
  for (let start = 0; start < unique; start += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, unique - start) }, () => randomBytes(24).toString('base64url'));
    const hashes = batch.map((t) => createHash('sha256').update(t).digest('hex'));
    const ids = batch.map(() => randomBytes(16).toString('hex'));
    await db.query(`insert into voter_identities (identity_hash, provider) select unnest($1::text[]), 'bench'`, [ids]);
    await db.query(`insert into voter_sessions (token_hash, identity_hash, provider, expires_at) select unnest($1::text[]), unnest($2::text[]), 'bench', now() + interval '1 day'`, [hashes, ids]);
    tokens.push(...batch);
  }

  const url = new URL(`${system.url}/api/v1/public/polls/${pollId}/votes`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const latencies: number[] = [];
  const counts = { accepted: 0, refusedDuplicate: 0, otherStatus: 0, errors: 0 };
  let used = 0;
  let sent = 0;
  let gaveUp = '';
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // Open loop: request i is due at i / rate; when the server lags, requests queue rather than slow the sender.
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inflight.size > rate * MAX_BACKLOG_SECONDS) { gaveUp = `backlog of ${inflight.size} requests after ${Math.round((performance.now() - started) / 1000)} s`; break; }
    if (Date.now() > deadline) { gaveUp = 'overall deadline'; break; }
    const duplicate = i % DUPLICATE_EVERY === DUPLICATE_EVERY - 1 && used > 0;
    const token = duplicate ? tokens[Math.floor(Math.random() * used)]! : tokens[used++]!;
    const body = JSON.stringify({ answers: [{ questionId, optionIds: [optionIds[i % 4]] }], channel: 'widget' });
    const t0 = performance.now();
    const p = post(agent, url, body, token).then((status) => {
      latencies.push(performance.now() - t0);
      if (status === 201) counts.accepted++;
      else if (status === 409) counts.refusedDuplicate++;
      else counts.otherStatus++;
    }, () => { counts.errors++; }).finally(() => inflight.delete(p));
    inflight.add(p);
    sent++;
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const drained = await Promise.race([Promise.all(inflight).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), DRAIN_MS))]);
  // Unanswered requests are torn down: they count as errors, and a vote they stored still shows in `stored`.
  agent.destroy();
  if (!drained) await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 2000))]);
  const elapsed = (performance.now() - started) / 1000;

  const stored = (await db.query<{ n: number; identities: number }>('select count(*)::int as n, count(distinct identity_hash)::int as identities from votes where poll_id = $1', [pollId])).rows[0]!;
  latencies.sort((a, b) => a - b);
  const lost = counts.accepted - stored.n;
  const doubles = stored.n - stored.identities;
  const behind = sendSeconds > SECONDS * 1.1 || !drained || gaveUp !== '';
  const row = {
    target_per_s: rate, seconds: SECONDS, sent, accepted: counts.accepted, refused_duplicate: counts.refusedDuplicate,
    other_status: counts.otherStatus, errors: counts.errors, stored: stored.n, lost, doubles,
    sustained_per_s: Math.round((counts.accepted + counts.refusedDuplicate) / elapsed),
    p50_ms: Math.round(pct(latencies, 50)), p95_ms: Math.round(pct(latencies, 95)), p99_ms: Math.round(pct(latencies, 99)),
    verdict: behind ? `fell behind${gaveUp ? `: ${gaveUp}` : ''}` : lost || doubles || counts.errors || counts.otherStatus ? 'errors' : 'absorbed',
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return { rate, row, clean: row.verdict === 'absorbed' };
}

export default async function run(): Promise<BenchResult> {
  const deadline = Date.now() + HARD_DEADLINE_MS;
  // Last resort if shutdown itself hangs: the bench process must end.
  const watchdog = setTimeout(() => {
    process.stderr.write('votes bench: hard deadline passed, exiting\n');
    process.exit(3);
  }, HARD_DEADLINE_MS + 120_000);
  watchdog.unref();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-bench-votes-'));
  fs.chmodSync(dir, 0o755);
  const redis = await ensureRedis({ dataDir: dir, port: await freePort() });
  let postgres: Awaited<ReturnType<typeof ensurePostgres>> | undefined;
  let system: Awaited<ReturnType<typeof startOtklik>> | undefined;
  try {
    postgres = await ensurePostgres({ dataDir: dir, port: await freePort() });
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', OTKLIK_DATA_DIR: dir, REDIS_URL: redis.url, DATABASE_URL: postgres.connectionString,
      OTKLIK_ADMIN_PASSWORD: 'bench-password', OTKLIK_POLL_IP_LIMIT_PER_MINUTE: '100000000',
    });
    system = await startOtklik(config, [...ROLES], createLogger('silent'));
    const stages: Stage[] = [];
    for (const rate of RATES) {
      if (Date.now() + SECONDS * 1000 > deadline) break;
      const s = await stage(system, rate, deadline);
      stages.push(s);
      if (s.clean) break;
    }
    const outboxPending = async () => (await system!.db.query<{ n: number }>('select count(*)::int as n from outbox where published_at is null')).rows[0]!.n;
    const drainStart = Date.now();
    while ((await outboxPending()) > 0 && Date.now() - drainStart < 120_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const drainedMs = Date.now() - drainStart;
    const best = stages.find((s) => s.clean);
    return {
      rows: stages.map((s) => s.row),
      summary: {
        note: 'one process (all roles) with embedded Redis and PostgreSQL on loopback; the load generator shares the 2-core machine',
        highestCleanRatePerSecond: best?.rate ?? 0,
        ratesTried: stages.map((s) => s.rate), duplicateEvery: DUPLICATE_EVERY, outboxDrainAfterStormMs: drainedMs,
      },
    };
  } finally {
    await system?.stop().catch(() => {});
    await postgres?.stop().catch(() => {});
    await redis.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}
