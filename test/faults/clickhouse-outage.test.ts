/**
 * ClickHouse unavailable for a whole minute while call cards keep arriving: the workflow goes on registering cases,
 * the analytics events wait in Redis without spending their retry attempts, and once ClickHouse is back every case
 * is counted exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { eventually, startTestSystem } from '../support.js';

const OUTAGE_MS = 60_000;
const N = 240;

async function post(system: Otklik, i: number) {
  const body = JSON.stringify({ callId: `ch-outage-${i}`, receivedAt: new Date().toISOString(),
    text: `Обращение ${i}: во дворе не убирают снег, машины не проехать` });
  const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
  expect(res.status).toBe(202);
}

describe('ClickHouse unavailable for a minute', () => {
  let system: Otklik;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  const casesInPostgres = async () =>
    (await system.db.query<{ message_id: string }>(
      `select c.message_id from cases c join messages m on m.id = c.message_id where m.external_id like 'ch-outage-%'`,
    )).rows.map((r) => r.message_id);
  const countsInClickHouse = async (ids: string[]) => {
    const rs = await system.ch!.query({
      query: `SELECT type, toUInt32(count()) AS n, toUInt32(uniqExact(event_id)) AS u FROM events
              WHERE message_id IN {ids:Array(UUID)} AND type IN ('message.received', 'case.created') GROUP BY type ORDER BY type`,
      query_params: { ids },
      format: 'JSONEachRow',
    });
    return Object.fromEntries((await rs.json<{ type: string; n: number; u: number }>()).map((r) => [r.type, { rows: Number(r.n), distinct: Number(r.u) }]));
  };

  it('keeps registering cases, holds the events without failing them, and counts each case once after recovery', async () => {
    const ch = system.ch!;
    const events = system.queues.events;
    await ch.command({ query: 'DETACH TABLE events' });
    const started = Date.now();
    try {
      // A steady stream over the whole outage, as the 122 center would send it.
      for (let i = 0; i < N; i++) {
        await post(system, i);
        const due = started + ((i + 1) * OUTAGE_MS) / N;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
      // The workflow does not depend on ClickHouse: every accepted call is already a case.
      await eventually(async () => (await casesInPostgres()).length === N, 30_000, 'cases registered during the outage');
      expect(Date.now() - started).toBeGreaterThanOrEqual(OUTAGE_MS);
      // Events are held for later, never failed: an outage must not use up the attempts meant for bad jobs.
      await eventually(async () => (system.workers.counters.events?.postponed.clickhouse_unavailable ?? 0) > 0, 30_000, 'events postponed');
      expect((await events.getJobCounts('failed')).failed).toBe(0);
    } finally {
      await ch.command({ query: 'ATTACH TABLE events' });
    }
    const ids = await casesInPostgres();
    const counts = await eventually(async () => {
      const c = await countsInClickHouse(ids);
      return c['case.created']?.distinct === N && c['message.received']?.distinct === N ? c : undefined;
    }, 60_000, 'every case counted after recovery');
    expect(counts).toEqual({ 'case.created': { rows: N, distinct: N }, 'message.received': { rows: N, distinct: N } });
    await eventually(async () => {
      const q = await events.getJobCounts('waiting', 'active', 'delayed', 'failed');
      return q.waiting === 0 && q.active === 0 && q.delayed === 0 ? q : undefined;
    }, 30_000, 'events queue drained');
    expect((await events.getJobCounts('failed')).failed).toBe(0);
    expect(system.workers.counters.events?.failed).toBe(0);
  }, 240_000);
});
