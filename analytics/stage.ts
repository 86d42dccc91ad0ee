import { parsePayload } from '../lib/queues.js';
import { ok, type WorkerSpec } from '../lib/workers.js';
import type { Batcher } from './batcher.js';
import { toEventRow, type EventRow } from './events-store.js';

/**
 * The events worker hands rows to the batcher and completes the job only when its batch is stored, so with
 * a high concurrency many jobs share one insert and none is acknowledged before ClickHouse has it.
 */
export function createAnalyticsStage(deps: { batcher: Batcher<EventRow> }): { workers: WorkerSpec[] } {
  return {
    workers: [
      {
        queue: 'events',
        concurrency: 500,
        async processor(data) {
          const { events } = parsePayload('events', data);
          await deps.batcher.add(events.map(toEventRow));
          return ok({ events: events.length });
        },
      },
    ],
  };
}
