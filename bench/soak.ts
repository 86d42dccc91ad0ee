/**
 * Soak: 1,000,000 posts through `intake.acceptMany` (pages of 100) into one whole Otklik (all roles, one process)
 * at the rate it sustains — the feeder waits while more than MAX_QUEUED_JOBS pages are queued before classify or
 * workflow, so the backlog never grows. Every SAMPLE_MS it samples the process RSS and heap, Redis `used_memory`,
 * posts accepted, cases created and posts visible in ClickHouse. It reports RSS min/max/last and the slope of the
 * second half (MiB per 100k posts) as the growth verdict. Not part of the default `npm run bench`: it takes long.
 */
import { Redis } from 'ioredis';
import type { BenchResult } from './index.js';
import { countCases, feedPages, startBenchSystem, startStores, visibleCases, waitUntil } from './pipeline.js';

const DEFAULT_TOTAL = 1_000_000;
const PAGE = 100;
const MAX_QUEUED_JOBS = 100;
const SAMPLE_MS = 5000;
/** Second-half growth below this many MiB per 100k posts counts as flat (allocator and cache noise). */
const FLAT_MIB_PER_100K = 2;

interface Sample {
  t: number;
  posts: number;
  cases: number;
  visible: number;
  rssMiB: number;
  heapMiB: number;
  redisMiB: number;
  reminderJobs: number;
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export default async function run(options: Record<string, string> = {}): Promise<BenchResult> {
  // `--posts N` for a shorter look at the same curve; the figure is the full million.
  const TOTAL = options.posts ? Number(options.posts) : DEFAULT_TOTAL;
  if (!Number.isInteger(TOTAL) || TOTAL < PAGE) throw new Error(`--posts must be a whole number of at least ${PAGE}`);
  const stores = await startStores('soak');
  const redis = new Redis(stores.redisUrl);
  try {
    const system = await startBenchSystem(stores);
    const intake = system.ingest!.intake;
    const reminders = system.workflow!.reminders;
    const samples: Sample[] = [];
    let posts = 0;
    const started = performance.now();
    const sample = async () => {
      const info = await redis.info('memory');
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      const mem = process.memoryUsage();
      samples.push({
        t: Math.round((performance.now() - started) / 1000),
        posts,
        cases: await countCases(system),
        visible: await visibleCases(system),
        rssMiB: mib(mem.rss),
        heapMiB: mib(mem.heapUsed),
        redisMiB: mib(used),
        reminderJobs: await reminders.getDelayedCount(),
      });
      const s = samples.at(-1)!;
      process.stderr.write(
        `soak t=${s.t}s posts=${s.posts} cases=${s.cases} visible=${s.visible} rss=${s.rssMiB}MiB heap=${s.heapMiB}MiB redis=${s.redisMiB}MiB\n`,
      );
    };
    let sampling = Promise.resolve();
    const timer = setInterval(() => {
      sampling = sampling.then(sample).catch(() => {});
    }, SAMPLE_MS);
    const queued = async () => {
      const [a, b] = await Promise.all([system.queues.incoming.getJobCounts('waiting', 'active'), system.queues.classified.getJobCounts('waiting', 'active')]);
      return a.waiting! + a.active! + b.waiting! + b.active!;
    };
    while (posts < TOTAL) {
      if ((posts / PAGE) % 10 === 0) {
        while ((await queued()) > MAX_QUEUED_JOBS) await new Promise((r) => setTimeout(r, 20));
      }
      await feedPages(intake, 'soak', posts, posts + PAGE);
      posts += PAGE;
    }
    const fedSeconds = (performance.now() - started) / 1000;
    await waitUntil(async () => (await visibleCases(system)) >= TOTAL, 1_800_000, 'every soak post in ClickHouse');
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    await sampling;
    await sample();
    // A dead-lettered page is posts that never became cases (the 1M soak once found one this way): count them.
    const failed = Object.fromEntries(await Promise.all((['incoming', 'classified', 'events'] as const)
      .map(async (q) => [q, (await system.queues[q].getJobCounts('failed')).failed ?? 0] as const)));
    await system.stop();

    const half = samples.slice(Math.floor(samples.length / 2));
    const perPosts = (key: 'rssMiB' | 'heapMiB' | 'redisMiB') => slope(half.map((s) => ({ x: s.cases / 100_000, y: s[key] })));
    const rss = samples.map((s) => s.rssMiB);
    const rssSlope = perPosts('rssMiB');
    const verdict = rssSlope < FLAT_MIB_PER_100K
      ? 'flat: no growth over the second half'
      : `growing: ${rssSlope.toFixed(1)} MiB per 100k posts over the second half`;
    const last = samples.at(-1)!;
    const every = Math.max(1, Math.floor(samples.length / 20));
    return {
      rows: samples.filter((_, i) => i % every === 0 || i === samples.length - 1).map((s) => ({ ...s })),
      summary: {
        posts: TOTAL,
        seconds: Math.round(seconds),
        sustainedPostsPerSecond: Math.round(TOTAL / seconds),
        feedSeconds: Math.round(fedSeconds),
        rssMiB: { min: Math.min(...rss), max: Math.max(...rss), last: last.rssMiB },
        rssSlopeMiBPer100kPostsSecondHalf: Number(rssSlope.toFixed(2)),
        heapSlopeMiBPer100kPostsSecondHalf: Number(perPosts('heapMiB').toFixed(2)),
        verdict,
        redisUsedMemoryMiB: { first: samples[0]?.redisMiB, max: Math.max(...samples.map((s) => s.redisMiB)), last: last.redisMiB },
        redisSlopeMiBPer100kPostsSecondHalf: Number(perPosts('redisMiB').toFixed(2)),
        delayedReminderJobs: last.reminderJobs,
        failedJobs: failed,
        cases: last.cases,
        redisNote: 'finished page jobs are trimmed (the last hour, at most 500 per stage queue); reminders are delayed jobs only '
          + 'within a day of being due; what grows slowly is one 90-day seen-key per message (~100 bytes)',
        roles: 'one process runs every role, so the process RSS is the worker RSS',
      },
    };
  } finally {
    redis.disconnect();
    await stores.close();
  }
}
