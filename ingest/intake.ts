import type { Redis } from 'ioredis';
import { uuidV5 } from '../lib/ids.js';
import { MAX_BATCH, type IncomingMessage, type Queues } from '../lib/queues.js';
import type { StatsStore } from './stats.js';

/** How long a message id is remembered for counting duplicates; the queue's jobId and the database key stay the real guards. */
const SEEN_TTL_SECONDS = 90 * 24 * 3600;

export interface PageResult {
  accepted: number;
  duplicates: number;
}

export interface Intake {
  /** Enqueues a normalised message (idempotent by messageId); says whether it was new. */
  accept(message: IncomingMessage): Promise<'accepted' | 'duplicate'>;
  /**
   * Enqueues a page of messages (a VK poll answer, an import chunk) as one job per up to MAX_BATCH fresh messages;
   * messages already accepted, or repeated inside the page, are counted as duplicates and not enqueued again.
   */
  acceptMany(messages: IncomingMessage[]): Promise<PageResult>;
  /** Whether this message id was already accepted (cheap pre-check for importers and the widget). */
  seen(messageId: string): Promise<boolean>;
  stats: StatsStore;
}

/** A page's job id depends only on which messages it carries, so a redelivered page is the same job. */
export const pageJobId = (messageIds: string[]) => `page-${uuidV5(`page:${[...messageIds].sort().join(',')}`)}`;

/** A pipeline answers errors per command instead of throwing; intake must fail as loudly as a single command. */
function checked(results: [Error | null, unknown][] | null): [Error | null, unknown][] {
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error('Redis pipeline was not executed');
  return results;
}

export function createIntake(deps: { queues: Pick<Queues, 'incoming'>; redis: Redis; prefix: string; stats: StatsStore }): Intake {
  const seenKey = (id: string) => `${deps.prefix}:ingest:seen:${id}`;

  async function acceptChunk(page: IncomingMessage[]): Promise<PageResult> {
    const unique = [...new Map(page.map((m) => [m.messageId, m])).values()];
    const seen = checked(await deps.redis.pipeline(unique.map((m) => ['exists', seenKey(m.messageId)])).exec());
    const fresh = unique.filter((_, i) => seen?.[i]?.[1] !== 1);
    let accepted = 0;
    const counts = new Map<IncomingMessage['source'], { received: number; duplicate: number }>();
    const count = (m: IncomingMessage, field: 'received' | 'duplicate', n = 1) => {
      const c = counts.get(m.source) ?? { received: 0, duplicate: 0 };
      c[field] += n;
      counts.set(m.source, c);
    };
    if (fresh.length > 0) {
      // Enqueue first, mark second: a crash in between re-sends the same fresh set, i.e. the same jobId, which BullMQ
      // ignores; a different overlap can put a message in two jobs, and the database key keeps it to one case.
      await deps.queues.incoming.add('page', { messages: fresh }, { jobId: pageJobId(fresh.map((m) => m.messageId)) });
      const marked = checked(await deps.redis.pipeline(fresh.map((m) => ['set', seenKey(m.messageId), '1', 'EX', SEEN_TTL_SECONDS, 'NX'])).exec());
      fresh.forEach((m, i) => {
        // NX lost: another intake took the same message at the same moment; the later one is the duplicate.
        if (marked?.[i]?.[1] === 'OK') {
          accepted++;
          count(m, 'received');
        } else count(m, 'duplicate');
      });
    }
    const freshIds = new Set(fresh.map((m) => m.messageId));
    for (const m of unique) if (!freshIds.has(m.messageId)) count(m, 'duplicate');
    const repeatsInPage = page.length - unique.length;
    if (repeatsInPage > 0) count(page[0]!, 'duplicate', repeatsInPage);
    await Promise.all([...counts].flatMap(([source, c]) => [
      c.received ? deps.stats.received(source, c.received) : undefined,
      c.duplicate ? deps.stats.dropped(source, 'duplicate', c.duplicate) : undefined,
    ]));
    return { accepted, duplicates: page.length - accepted };
  }

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
    async acceptMany(messages) {
      const total: PageResult = { accepted: 0, duplicates: 0 };
      for (let i = 0; i < messages.length; i += MAX_BATCH) {
        const r = await acceptChunk(messages.slice(i, i + MAX_BATCH));
        total.accepted += r.accepted;
        total.duplicates += r.duplicates;
      }
      return total;
    },
    async seen(messageId) {
      return (await deps.redis.exists(seenKey(messageId))) === 1;
    },
  };
}
