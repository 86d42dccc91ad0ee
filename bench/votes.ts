/**
 * Vote storm: a paced open-loop load of 2,000 votes/s for 60 s against the real HTTP vote endpoint of a whole
 * Otklik (all roles, one process) on loopback, with voter tokens generated directly in the database. The load
 * generator runs in a child process (bench/_vote-load.ts). Every 20th request is a deliberate double vote: a voter of
 * the last seconds again, through the other channel (page ↔ widget), often while the first vote is still in flight.
 *
 * Printed per stage: accepted, refused (409 double vote / 429 rate limit), failed (errors, timeouts, 5xx), the rate
 * achieved, p50/p95/p99 latency and whether it kept up. Then checked: PostgreSQL vote rows == accepted, no identity
 * with two votes, accepted == fresh voters and refused == doubles sent, and ClickHouse counts == PostgreSQL counts
 * once analytics caught up. When 2,000/s is not absorbed, the bench steps down (1,000, 500) and says so.
 */
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pollResults } from '../analytics/poll-queries.js';
import { ALL_TIME } from '../analytics/queries.js';
import { loadConfig, ROLES } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { ensurePostgres } from '../lib/runtime/postgres.js';
import { ensureRedis } from '../lib/runtime/redis.js';
import { startOtklik, type Otklik } from '../main.js';
import { countedVotes } from '../workflow/polls/vote-store.js';
import { FIRST_SECONDS, type StormPlan, type StormResult } from './_vote-load.js';
import type { BenchResult } from './index.js';

/** Rates tried in turn (`--rates 2000,1000,500`); `--seconds` per stage (60). */
const DEFAULT_RATES = [2000, 1000, 500];
const DEFAULT_SECONDS = 60;
const DUPLICATE_EVERY = 20;
const MAX_BACKLOG_SECONDS = 3;
const DRAIN_MS = 15_000;
/** "Kept up": the generator stayed on schedule and the slowest answers stayed within this. */
const KEPT_UP_P99_MS = 1000;
/** How long analytics may take after the storm to show in ClickHouse what PostgreSQL holds. */
const ANALYTICS_WAIT_MS = 60_000;
/** The whole bench never runs longer than this, whatever happens; servers are stopped either way. */
const HARD_DEADLINE_MS = 15 * 60_000;

const here = path.dirname(fileURLToPath(import.meta.url));

/** CPU seconds (user + system) a process and its children of the given pids used so far, from /proc (Linux). */
function cpuSeconds(rootPids: number[]): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return Number.NaN;
  }
  for (const d of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[1] is the parent pid, f[11] / f[12] utime / stime (fields 4, 14 and 15 of proc(5)).
      if (rootPids.includes(Number(d)) || rootPids.includes(Number(f[1]))) total += (Number(f[11]) + Number(f[12])) / ticks;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

const pidIn = (file: string) => {
  try {
    return Number(fs.readFileSync(file, 'utf8').split('\n')[0]) || 0;
  } catch {
    return 0;
  }
};

/** Where CPU goes during a storm: the server process, PostgreSQL (all its processes), Redis and the generator. */
function cpuMeter(stores: { cluster: string; redisDir: string }) {
  const groups = () => ({ server: [process.pid], postgres: [pidIn(path.join(stores.cluster, 'postmaster.pid'))],
    redis: [pidIn(path.join(stores.redisDir, 'redis.pid'))] });
  const read = () => Object.fromEntries(Object.entries(groups()).map(([k, pids]) => [k, cpuSeconds(pids.filter(Boolean))]));
  const start = read();
  return (votes: number, generatorSeconds: number) => {
    const end = read();
    const perVote = (s: number) => (votes ? Math.round((s * 1e6) / votes) : 0);
    return Object.fromEntries([
      ...Object.keys(start).map((k) => [`cpu_us_per_vote_${k}`, perVote(end[k]! - start[k]!)]),
      ['cpu_us_per_vote_generator', perVote(generatorSeconds)],
    ]) as Record<string, number>;
  };
}

/** Runs one storm in a forked generator process (TypeScript through tsx, like the parent). */
function runGenerator(plan: StormPlan, timeoutMs: number): Promise<StormResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, '_vote-load.ts'), [], { cwd: path.join(here, '..'), execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('load generator did not finish in time'));
    }, timeoutMs);
    child.once('message', (msg: { result?: StormResult; error?: string }) => {
      clearTimeout(timer);
      if (msg.result) resolve(msg.result);
      else reject(new Error(`load generator failed: ${msg.error}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`load generator exited with ${code}`));
    });
    child.send({ storm: plan });
  });
}

/** A fresh open poll with one single-choice question of four options, straight in the database. */
async function benchPoll(db: Otklik['db'], rate: number) {
  const poll = await db.query<{ id: string }>(`insert into polls (title, status) values ($1, 'open') returning id`, [`Бенчмарк ${rate}/с`]);
  const pollId = poll.rows[0]!.id;
  const q = await db.query<{ id: string }>(`insert into poll_questions (poll_id, position, kind, text) values ($1, 0, 'single', 'Вопрос') returning id`, [
    pollId,
  ]);
  const questionId = q.rows[0]!.id;
  const opts = await db.query<{ id: string }>(
    `insert into poll_options (question_id, position, text) select $1, g, 'Вариант ' || g from generate_series(1, 4) g returning id`,
    [questionId],
  );
  return { pollId, questionId, optionIds: opts.rows.map((r) => r.id) };
}

/** Verified voters as the code flow leaves them: an identity and a session whose token only the voter holds. */
async function voterTokens(db: Otklik['db'], n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let start = 0; start < n; start += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, n - start) }, () => randomBytes(24).toString('base64url'));
    const hashes = batch.map((t) => createHash('sha256').update(t).digest('hex'));
    const ids = batch.map(() => randomBytes(16).toString('hex'));
    await db.query(`insert into voter_identities (identity_hash, provider) select unnest($1::text[]), 'bench'`, [ids]);
    await db.query(
      `insert into voter_sessions (token_hash, identity_hash, provider, expires_at) select unnest($1::text[]), unnest($2::text[]), 'bench', now() + interval '1 day'`,
      [hashes, ids],
    );
    tokens.push(...batch);
  }
  return tokens;
}

/**
 * Milliseconds until ClickHouse shows exactly PostgreSQL's counts for the poll, or -1 when it never did; with the
 * vote rows ClickHouse holds more than once (one event delivered twice and not merged away yet), which is what a
 * count above PostgreSQL's means.
 */
async function analyticsCatchUp(system: Otklik, pollId: string, deadline: number): Promise<{ ms: number; pg: number; ch: number; chDuplicateRows: number }> {
  const started = Date.now();
  const key = (rows: { question: string; option: string; votes: number }[]) => rows.map((r) => `${r.question}|${r.option}|${r.votes}`).sort().join('\n');
  let pgTotal = 0;
  let chTotal = 0;
  while (Date.now() - started < ANALYTICS_WAIT_MS && Date.now() < deadline) {
    // Read every time: votes whose answers the generator gave up on may still be committing.
    const expected = await countedVotes(system.db, pollId);
    pgTotal = expected.reduce((n, r) => n + r.votes, 0);
    const got = (await pollResults(system.ch!, pollId, ALL_TIME)).map((r) => ({ question: String(r.question), option: String(r.option),
      votes: Number(r.votes) })
    );
    chTotal = got.reduce((n, r) => n + r.votes, 0);
    if (key(got) === key(expected)) return { ms: Date.now() - started, pg: pgTotal, ch: chTotal, chDuplicateRows: 0 };
    await new Promise((r) => setTimeout(r, 500));
  }
  const dup = await (await system.ch!.query({
    query: 'SELECT toInt64(count() - uniqExact(event_id)) AS d FROM poll_votes WHERE poll_id = {poll:String}',
    query_params: { poll: pollId },
    format: 'JSONEachRow',
  })).json<{ d: number | string }>();
  return { ms: -1, pg: pgTotal, ch: chTotal, chDuplicateRows: Number(dup[0]?.d ?? 0) };
}

interface Stage {
  row: Record<string, string | number>;
  clean: boolean;
}

async function stage(system: Otklik, stores: { cluster: string; redisDir: string }, rate: number, seconds: number, deadline: number): Promise<Stage> {
  const { pollId, questionId, optionIds } = await benchPoll(system.db, rate);
  const total = rate * seconds;
  const tokens = await voterTokens(system.db, total - Math.floor(total / DUPLICATE_EVERY));
  const load = [os.loadavg()[0]!];
  const cpu = cpuMeter(stores);
  const sampler = setInterval(() => load.push(os.loadavg()[0]!), 5000);
  let s: StormResult;
  try {
    s = await runGenerator({
      url: `${system.url}/api/v1/public/polls/${pollId}/votes`,
      questionId,
      optionIds,
      tokens,
      rate,
      seconds,
      duplicateEvery: DUPLICATE_EVERY,
      maxBacklogSeconds: MAX_BACKLOG_SECONDS,
      drainMs: DRAIN_MS,
    }, seconds * 1000 + DRAIN_MS + 60_000);
  } finally {
    clearInterval(sampler);
  }
  const cpuPerVote = cpu(s.accepted + s.refused, s.cpuSeconds);
  // Requests the generator gave up on may still be in the server: count once the number of votes stops moving.
  const count = async () =>
    (await system.db.query<{ n: number; identities: number }>(
      'select count(*)::int as n, count(distinct identity_hash)::int as identities from votes where poll_id = $1',
      [pollId],
    )).rows[0]!;
  let stored = await count();
  for (let settle = Date.now() + 30_000; Date.now() < settle;) {
    await new Promise((r) => setTimeout(r, 1000));
    const again = await count();
    if (again.n === stored.n) break;
    stored = again;
  }
  const analytics = await analyticsCatchUp(system, pollId, deadline);

  const answered = s.accepted + s.refused + s.failed;
  const achieved = Math.round(answered / s.elapsedSeconds);
  const keptUp = !s.gaveUp && s.drained && s.finalLagMs < 1000 && s.sendSeconds <= seconds * 1.02 && s.p99 <= KEPT_UP_P99_MS;
  // Accepted but not stored: must be 0. Stored without an answer (the generator gave up on the request, the server
  // still committed it) is possible only for failed requests.
  const lost = Math.max(0, s.accepted - stored.n);
  const storedUnanswered = Math.max(0, stored.n - s.accepted);
  const doubles = stored.n - stored.identities;
  // With no failures every fresh voter is accepted once and every double refused; failures make it undecidable.
  const exact = s.failed > 0 || (s.accepted === s.freshSent && s.refused === s.duplicatesSent);
  const consistent = lost === 0 && storedUnanswered <= s.failed && doubles === 0 && exact && analytics.ms >= 0;
  const row = {
    target_per_s: rate,
    seconds,
    sent: s.sent,
    accepted: s.accepted,
    refused: s.refused,
    failed: s.failed,
    doubles_sent: s.duplicatesSent,
    stored: stored.n,
    lost,
    stored_unanswered: storedUnanswered,
    doubles,
    achieved_per_s: achieved,
    p50_ms: Math.round(s.p50),
    p95_ms: Math.round(s.p95),
    p99_ms: Math.round(s.p99),
    max_ms: Math.round(s.max),
    [`p99_first_${FIRST_SECONDS}s_ms`]: Math.round(s.p99First),
    [`p99_after_${FIRST_SECONDS}s_ms`]: Math.round(s.p99Rest),
    ch_equals_pg_after_ms: analytics.ms,
    ch_votes: analytics.ch,
    pg_votes: analytics.pg,
    ch_duplicate_rows: analytics.chDuplicateRows,
    ...cpuPerVote,
    load_1m: `${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
    kept_up: keptUp
      ? 'yes'
      : `no${s.gaveUp ? `: ${s.gaveUp}` : !s.drained ? ': answers missing' : s.p99 > KEPT_UP_P99_MS ? ': p99 too high' : ': sender late'}`,
    verdict: !consistent ? 'INCONSISTENT' : keptUp && s.failed === 0 ? 'absorbed' : 'not absorbed',
  };
  process.stdout.write(`${JSON.stringify({ ...row, statuses: s.statuses })}\n`);
  return { row, clean: row.verdict === 'absorbed' };
}

export default async function run(options: Record<string, string> = {}): Promise<BenchResult> {
  // The first rate absorbed cleanly is the result.
  const rates = options.rates ? options.rates.split(',').map(Number) : DEFAULT_RATES;
  const seconds = options.seconds ? Number(options.seconds) : DEFAULT_SECONDS;
  if (rates.some((r) => !(r > 0)) || !(seconds > 0)) throw new Error('--rates takes positive numbers (e.g. 2000,1000) and --seconds a positive number');
  const deadline = Date.now() + HARD_DEADLINE_MS;
  // Last resort if shutdown itself hangs: the bench process must end.
  const watchdog = setTimeout(() => {
    process.stderr.write('votes bench: hard deadline passed, exiting\n');
    process.exit(3);
  }, HARD_DEADLINE_MS + 120_000);
  watchdog.unref();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-bench-votes-'));
  fs.chmodSync(dir, 0o755);
  // The stores' own data dir is owner-only; as root PostgreSQL's cluster goes beside it, where its user can pass.
  const storesDir = path.join(dir, 'stores');
  const redis = await ensureRedis({ dataDir: storesDir });
  let postgres: Awaited<ReturnType<typeof ensurePostgres>> | undefined;
  let system: Otklik | undefined;
  try {
    postgres = await ensurePostgres({ dataDir: storesDir, systemDir: path.join(dir, 'pg-system') });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      OTKLIK_DATA_DIR: dir,
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.connectionString,
      // Every request comes from 127.0.0.1: the per-IP flood limit would refuse the storm itself.
      OTKLIK_ADMIN_PASSWORD: 'bench-password',
      OTKLIK_POLL_IP_LIMIT_PER_MINUTE: '100000000',
    });
    system = await startOtklik(config, [...ROLES], createLogger('silent'));
    const stages: Stage[] = [];
    for (const rate of rates) {
      if (Date.now() + seconds * 1000 > deadline) break;
      const s = await stage(system, { cluster: postgres.cluster, redisDir: path.join(storesDir, 'redis') }, rate, seconds, deadline);
      stages.push(s);
      if (s.clean) break;
    }
    const best = stages.find((s) => s.clean);
    return {
      rows: stages.map((s) => s.row),
      summary: {
        note: 'one Otklik process (all roles) with embedded Redis and PostgreSQL on loopback; the load generator is a separate process on the same 2 cores',
        highestAbsorbedRatePerSecond: best ? Number(best.row.target_per_s) : 0,
        ratesTried: stages.map((s) => Number(s.row.target_per_s)),
        duplicateEvery: DUPLICATE_EVERY,
        keptUpMeans: `on schedule, all answered, p99 <= ${KEPT_UP_P99_MS} ms`,
        cpus: os.cpus().length,
        loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))),
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
