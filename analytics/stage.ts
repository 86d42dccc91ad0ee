import type { Logger } from '../lib/logger.js';
import { parsePayload } from '../lib/queues.js';
import { later, ok, type WorkerSpec } from '../lib/workers.js';
import type { Batcher } from './batcher.js';
import { toEventRow, type EventRow } from './events-store.js';

/** How long an events job waits while ClickHouse is down before it is tried again. */
export const OUTAGE_RETRY_MS = 10_000;

/**
 * The events worker hands rows to the batcher and completes the job only when its batch is stored, so with
 * a high concurrency many jobs share one insert and none is acknowledged before ClickHouse has it. While ClickHouse
 * is unavailable the jobs wait in Redis for as long as the outage lasts instead of spending their attempts.
 */
export function createAnalyticsStage(deps: {
  batcher: Batcher<EventRow>;
  /** Whether ClickHouse can take events at all; asked only after a batch failed every attempt. */
  available: () => Promise<boolean>;
  logger: Logger;
}): { workers: WorkerSpec[] } {
  const log = deps.logger.child({ component: 'analytics' });
  let outage = false;
  return {
    workers: [
      {
        queue: 'events',
        concurrency: 500,
        async processor(data) {
          const { events } = parsePayload('events', data);
          try {
            await deps.batcher.add(events.map(toEventRow));
          } catch (err) {
            if (await deps.available().catch(() => false)) throw err;
            if (!outage) log.warn({ err: (err as Error).message, retryInMs: OUTAGE_RETRY_MS }, 'ClickHouse is unavailable; events wait in the queue');
            outage = true;
            return later('clickhouse_unavailable', OUTAGE_RETRY_MS);
          }
          if (outage) log.info('ClickHouse takes events again');
          outage = false;
          return ok({ events: events.length });
        },
      },
    ],
  };
}
