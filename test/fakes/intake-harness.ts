/** Real Redis + PostgreSQL (migrated) + queues under a unique prefix, for pollers tested without a whole system. */
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import pg from 'pg';
import { migrate } from '../../db/migrate.js';
import { createCursorStore } from '../../ingest/cursors.js';
import { createIntake } from '../../ingest/intake.js';
import { createStatsStore } from '../../ingest/stats.js';
import { closeQueues, createQueues, incomingMessagesOf } from '../../lib/queues.js';
import { createSealer } from '../../lib/seal.js';
import { createTestDatabase, uniqueName } from '../support.js';

export async function startIntakeHarness() {
  const db = new pg.Pool({ connectionString: await createTestDatabase('ing'), max: 5 });
  await migrate(db);
  const prefix = uniqueName('q');
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 3 });
  const queues = createQueues({ connection: { url: inject('redisUrl') }, prefix });
  const stats = createStatsStore(redis, prefix);
  const sealer = createSealer('intake-harness-secret');
  const intake = createIntake({ queues, redis, prefix, stats, sealer });
  const cursors = createCursorStore(db);
  return {
    db,
    redis,
    queues,
    intake,
    stats,
    cursors,
    prefix,
    sealer,
    /** externalIds of every job in the incoming queue, sorted. */
    async incomingIds(): Promise<string[]> {
      const jobs = await queues.incoming.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed']);
      return jobs.flatMap((j) => incomingMessagesOf(j.data).map((m) => m.externalId)).sort();
    },
    async close() {
      await closeQueues(queues);
      redis.disconnect();
      await db.end();
    },
  };
}
