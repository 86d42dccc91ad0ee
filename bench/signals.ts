/**
 * `npm run bench -- signals [--posts N]`: VK comments found by the monitoring, in pages of 100 through
 * `intake.acceptMany` on a whole Otklik (all roles, one process), as a Callback API storm or a search sweep delivers
 * them. Measured: signals stored in PostgreSQL (with their incident, term and analytics events in the outbox) per
 * second, time until their `signal.received` events are queryable in ClickHouse, then the monitoring inbox's query
 * (incidents with their aggregates and the routing model's suggestions, the default view) and the signal reaction
 * panel over what was stored. Nothing is posted back: the bench also checks that no outbound message was written.
 * The same number of 122 call cards (appeals, which become cases) goes through the same system afterwards, so the
 * two paths are compared on the same machine in the same minutes.
 */
import { normalizeVkComment } from '../ingest/vk/normalize.js';
import { signalReaction } from '../analytics/signal-queries.js';
import * as q from '../analytics/queries.js';
import type { IncomingMessage } from '../lib/queues.js';
import type { Otklik } from '../main.js';
import { bindMonitoring } from '../workflow/signals/monitoring.js';
import type { BenchResult } from './index.js';
import { percentile, sortedDurations } from './_timing.js';
import { countCases, feedPages, postText, startBenchSystem, startStores, waitUntil } from './pipeline.js';

const PAGE = 100;
const MUNICIPALITIES = ['Красноярск', 'Ачинск', 'Канск', 'Минусинск', 'Норильск', 'Железногорск', 'Лесосибирск', 'Шушенское'];

/** A comment under one of the community's posts; every fifth repeats an earlier one nearly word for word (an incident). */
function comment(run: string, i: number, at: number): IncomingMessage {
  const base = i % 5 === 4 ? i - 3 : i;
  const text = `${MUNICIPALITIES[base % MUNICIPALITIES.length]}: ${postText(base)}${i === base ? '' : ' Поддерживаю!'}`;
  const n = normalizeVkComment({ id: i + 1, owner_id: -111, post_id: 1000 + (i % 400), from_id: 100_000 + i, date: Math.floor(at / 1000), text }, {
    salt: `bench-${run}`,
    ownGroupIds: [111],
    provenance: { via: 'callback' },
  });
  if (!n.ok) throw new Error(n.reason);
  return n.message;
}

const count = async (system: Otklik, sql: string) => Number((await system.db.query<{ n: string }>(sql)).rows[0]!.n);

async function visibleSignals(system: Otklik): Promise<number> {
  const r = await system.ch!.query({ query: "SELECT toUInt32(count()) AS n FROM events WHERE type = 'signal.received'", format: 'JSONEachRow' });
  return Number((await r.json<{ n: number }>())[0]?.n ?? 0);
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const ms = await sortedDurations(runs, fn);
  return { p50: Math.round(percentile(ms, 50)), p95: Math.round(percentile(ms, 95)) };
}

export default async function run(options: Record<string, string> = {}): Promise<BenchResult> {
  const n = options.posts === undefined ? 20_000 : Number(options.posts);
  if (!Number.isInteger(n) || n < PAGE) throw new Error(`--posts takes a whole number of at least ${PAGE}`);
  const stores = await startStores('bench-signals');
  try {
    const system = await startBenchSystem(stores);
    try {
      const run = Date.now().toString(36);
      const started = performance.now();
      for (let i = 0; i < n; i += PAGE) {
        const at = Date.now();
        const page = Array.from({ length: Math.min(PAGE, n - i) }, (_, k) => comment(run, i + k, at));
        await system.ingest!.intake.acceptMany(page);
      }
      const acceptedSeconds = (performance.now() - started) / 1000;
      await waitUntil(async () => (await count(system, 'select count(*) as n from signals')) >= n, 600_000, 'signals stored');
      const storedSeconds = (performance.now() - started) / 1000;
      await waitUntil(async () => (await visibleSignals(system)) >= n, 600_000, 'signals in ClickHouse');
      const visibleSeconds = (performance.now() - started) / 1000;
      const incidents = await count(system, 'select count(distinct incident_id) as n from signals');
      const outbound = await count(system, "select count(*) as n from outbox where queue = 'outbound'");
      const monitoring = bindMonitoring(system.db);
      const inbox = await timed(20, () => monitoring.listIncidents({ status: 'open', sort: 'urgent', limit: 50, growthHours: 6 }));
      const search = await timed(20, () =>
        monitoring.listIncidents({ status: 'open', sort: 'newest', limit: 50, growthHours: 6, q: 'лифт', municipality: undefined }));
      const panel = await timed(10, () => signalReaction(system.ch!, { ...q.ALL_TIME }, { groupBy: 'municipality', now: new Date() }));
      const appealsStarted = performance.now();
      await feedPages(system.ingest!.intake, `appeals-${run}`, 0, n);
      await waitUntil(async () => (await countCases(system)) >= n, 600_000, 'appeal cases');
      const appealsSeconds = (performance.now() - appealsStarted) / 1000;
      return {
        rows: [
          { measure: `comments accepted by intake (pages of ${PAGE}), per s`, value: Math.round(n / acceptedSeconds) },
          { measure: 'signals stored in PostgreSQL, per s', value: Math.round(n / storedSeconds) },
          { measure: 'for comparison: call cards registered as cases, per s', value: Math.round(n / appealsSeconds) },
          { measure: 'signal.received queryable in ClickHouse, per s', value: Math.round(n / visibleSeconds) },
          { measure: 'inbox: open incidents, most urgent 50, p50 ms', value: inbox.p50 },
          { measure: 'inbox: open incidents, most urgent 50, p95 ms', value: inbox.p95 },
          { measure: 'inbox: text search, p50 ms', value: search.p50 },
          { measure: 'analytics: signal reaction by municipality, p50 ms', value: panel.p50 },
        ],
        summary: { posts: n, incidents, outboundRows: outbound, storedSeconds: Math.round(storedSeconds * 10) / 10,
          visibleSeconds: Math.round(visibleSeconds * 10) / 10, inbox, search, panel },
      };
    } finally {
      await system.stop();
    }
  } finally {
    await stores.close();
  }
}
