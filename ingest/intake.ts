import type { Redis } from 'ioredis';
import type { IncomingMessage, Queues } from '../lib/queues.js';
import type { StatsStore } from './stats.js';

/** How long a message id is remembered for counting duplicates; the queue's jobId and the database key stay the real guards. */
const SEEN_TTL_SECONDS = 90 * 24 * 3600;

export interface Intake {
  /** Enqueues a normalised message (idempotent by messageId); says whether it was new. */
  accept(message: IncomingMessage): Promise<'accepted' | 'duplicate'>;
  /** Whether this message id was already accepted (cheap pre-check for importers and the widget). */
  seen(messageId: string): Promise<boolean>;
  stats: StatsStore;
}

export function createIntake(deps: { queues: Pick<Queues, 'incoming'>; redis: Redis; prefix: string; stats: StatsStore }): Intake {
  const seenKey = (id: string) => `${deps.prefix}:ingest:seen:${id}`;
  return {
    stats: deps.stats,
    async accept(message) {
      // Enqueue first, mark second: a crash in between re-enqueues under the same jobId, which BullMQ ignores.
      await deps.queues.incoming.add(message.source, message, { jobId: message.messageId });
      const fresh = await deps.redis.set(seenKey(message.messageId), '1', 'EX', SEEN_TTL_SECONDS, 'NX');
      if (fresh) {
        await deps.stats.received(message.source);
        return 'accepted';
      }
      await deps.stats.dropped(message.source, 'duplicate');
      return 'duplicate';
    },
    async seen(messageId) {
      return (await deps.redis.exists(seenKey(messageId))) === 1;
    },
  };
}
