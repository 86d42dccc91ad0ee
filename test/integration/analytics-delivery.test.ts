/**
 * Delivery guarantees of the analytics write path: a batch retried after a failure counts once, and while
 * ClickHouse refuses inserts the events wait in the queue and arrive exactly once after recovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatcher } from '../../analytics/batcher.js';
import { insertEvents, toEventRow, type EventRow } from '../../analytics/events-store.js';
import type { AnalyticsEvent } from '../../lib/queues.js';
import { eventIdFor } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { eventually, startTestSystem } from '../support.js';

function buildEvent(n: number, tag: string, overrides: Partial<AnalyticsEvent> = {}): AnalyticsEvent {
  return {
    eventId: eventIdFor('delivery-test', tag, String(n)),
    type: 'message.classified',
    at: new Date(Date.UTC(2026, 0, 1 + (n % 20), 10)).toISOString(),
    messageId: eventIdFor('msg', tag, String(n)),
    source: 'vk',
    category: 'ЖКХ',
    municipality: 'город Красноярск',
    props: {},
    ...overrides,
  };
}

describe('analytics delivery', () => {
  let system: Otklik;
  const count = async (tag: string) => {
    const rs = await system.ch!.query({
      query: 'SELECT count() AS n FROM events WHERE event_id IN {ids:Array(UUID)}',
      query_params: { ids: Array.from({ length: 200 }, (_, n) => eventIdFor('delivery-test', tag, String(n))) },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]!.n);
  };
  const rollupCount = async (day: string) => {
    const rs = await system.ch!.query({ query: 'SELECT sum(messages) AS n FROM messages_hourly WHERE toDate(hour) = {day:Date}', query_params: { day },
      format: 'JSONEachRow' });
    return Number((await rs.json<{ n: string }>())[0]!.n);
  };

  beforeAll(async () => {
    system = await startTestSystem({}, ['analytics', 'dashboard']);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('counts a batch once when its insert succeeded but the answer was lost and it was retried', async () => {
    const store = insertEvents(system.ch!);
    let calls = 0;
    const batcher = createBatcher<EventRow>({
      // The first attempt stores the rows and then fails, as when a connection drops after ClickHouse committed.
      insert: async (rows, token) => {
        calls++;
        await store(rows, token);
        if (calls === 1) throw new Error('connection reset after insert');
      },
      rowKey: (r) => r.event_id,
      backoffMs: 10,
    });
    const rows = Array.from({ length: 50 }, (_, n) => toEventRow(buildEvent(n, 'lost-answer', { at: '2025-03-03T10:00:00Z' })));
    await batcher.add(rows);
    await batcher.close();
    expect(calls).toBe(2);
    expect(await count('lost-answer')).toBe(50);
    expect(await rollupCount('2025-03-03')).toBe(50);
    // And the same batch published again later, as a stage re-emitting after a crash would.
    await system.queues.events.add('again', { events: rows.map((_, n) => buildEvent(n, 'lost-answer', { at: '2025-03-03T10:00:00Z' })) });
    await eventually(async () => ((await system.queues.events.getJobCounts('completed')).completed ?? 0) >= 1, 10_000, 'the repeat job');
    expect(await count('lost-answer')).toBe(50);
    expect(await rollupCount('2025-03-03')).toBe(50);
  });

  it('keeps events in the queue while ClickHouse refuses inserts and stores them once after recovery', async () => {
    const ch = system.ch!;
    // The outage: the events table is gone for inserts (detached), as if the server refused writes.
    await ch.command({ query: 'DETACH TABLE events' });
    try {
      const job = await system.queues.events.add('outage', {
        events: Array.from({ length: 120 }, (_, n) => buildEvent(n, 'outage', { at: '2025-04-04T10:00:00Z' })),
      });
      // The job is put back for later without spending an attempt: an outage is not the job's fault.
      await eventually(async () => (await system.queues.events.getJobState(job.id!)) === 'delayed', 30_000, 'the job held for later');
      expect((await system.queues.events.getJob(job.id!))?.attemptsMade).toBe(0);
    } finally {
      await ch.command({ query: 'ATTACH TABLE events' });
    }
    expect(await count('outage')).toBe(0);
    await eventually(async () => (await count('outage')) === 120, 40_000, 'events after recovery');
    await eventually(async () => (await system.queues.events.getJobCounts('delayed', 'waiting', 'active')).delayed === 0, 10_000, 'queue settled');
    expect(await count('outage')).toBe(120);
    expect(await rollupCount('2025-04-04')).toBe(120);
  });
});
