import type { Redis } from 'ioredis';
import { createGroupCommit, type GroupCommitStats } from '../lib/group-commit.js';
import { uuidV5 } from '../lib/ids.js';
import { MAX_BATCH, type IncomingMessage, type Queues } from '../lib/queues.js';
import type { Sealer } from '../lib/seal.js';
import type { StatsStore } from './stats.js';
import { sealIncoming } from '../lib/sealed-payloads.js';

/** How long a message id is remembered for counting duplicates; the queue's jobId and the database key stay the real guards. */
const SEEN_TTL_SECONDS = 90 * 24 * 3600;

/**
 * Single messages (webhooks, the 122 center, the widget: one HTTP request each) are gathered for this long and
 * enqueued as one page: a burst then costs one job per hop and one registration transaction per page instead of one
 * per message (bench pipeline, HTTP call cards). A lone message waits this much more.
 */
export const SINGLE_MESSAGE_WINDOW_MS = 5;

export type AcceptOutcome = 'accepted' | 'duplicate';

export interface PageResult {
  accepted: number;
  duplicates: number;
}

export interface Intake {
  /**
   * Enqueues a normalised message (idempotent by messageId); says whether it was new. Messages accepted at the same
   * moment travel as one page (SINGLE_MESSAGE_WINDOW_MS); each caller still hears about its own message.
   */
  accept(message: IncomingMessage): Promise<AcceptOutcome>;
  /**
   * Enqueues a page of messages (a VK poll answer, an import chunk) as one job per up to MAX_BATCH fresh messages;
   * messages already accepted, or repeated inside the page, are counted as duplicates and not enqueued again.
   */
  acceptMany(messages: IncomingMessage[]): Promise<PageResult>;
  /** Whether this message id was already accepted (cheap pre-check for importers and the widget). */
  seen(messageId: string): Promise<boolean>;
  /** The single-message group commit: what waits and what is in flight (for /metrics). */
  batching(): GroupCommitStats;
  stats: StatsStore;
}

/**
 * The message with U+0000 replaced by U+FFFD in every string, raw payload included. Channels pass it through (JSON
 * allows it, Telegram and VK deliver it), but PostgreSQL text and jsonb cannot store it, so it would fail
 * registration again on every retry; an accepted message must reach the workflow.
 */
export function withoutNul<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const clean = withoutNul(v, depth + 1);
      if (clean !== v) (copy ??= [...value])[i] = clean;
    });
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const clean = withoutNul(v, depth + 1);
    const key = withoutNul(k);
    if (clean !== v || key !== k) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (key !== k) delete copy[k];
      copy[key] = clean;
    }
  }
  return (copy ?? value) as T;
}

/** A page's job id depends only on which messages it carries, so a redelivered page is the same job. */
export const pageJobId = (messageIds: string[]) => `page-${uuidV5(`page:${[...messageIds].sort().join(',')}`)}`;

/** A pipeline answers errors per command instead of throwing; intake must fail as loudly as a single command. */
function checked(results: [Error | null, unknown][] | null): [Error | null, unknown][] {
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error('Redis pipeline was not executed');
  return results;
}

/** `sealer` seals each message's contact and raw payload before it enters Redis (lib/queues.ts sealIncoming). */
export function createIntake(deps: { queues: Pick<Queues, 'incoming'>; redis: Redis; prefix: string; stats: StatsStore; sealer: Sealer }): Intake {
  const seenKey = (id: string) => `${deps.prefix}:ingest:seen:${id}`;

  /** One job for the page's fresh messages; the outcome of every message, in page order. */
  async function acceptChunk(dirty: IncomingMessage[]): Promise<AcceptOutcome[]> {
    const page = dirty.map((m) => withoutNul(m));
    const unique = [...new Map(page.map((m) => [m.messageId, m])).values()];
    const seen = checked(await deps.redis.pipeline(unique.map((m) => ['exists', seenKey(m.messageId)])).exec());
    const fresh = unique.filter((_, i) => seen?.[i]?.[1] !== 1);
    const acceptedIds = new Set<string>();
    if (fresh.length > 0) {
      // Enqueue first, mark second: a crash in between re-sends the same fresh set, i.e. the same jobId, which BullMQ
      // ignores; a different overlap can put a message in two jobs, and the database key keeps it to one case.
      await deps.queues.incoming.add('page', { messages: fresh.map((m) => sealIncoming(deps.sealer, m)) }, { jobId: pageJobId(fresh.map((m) => m.messageId)) });
      const marked = checked(await deps.redis.pipeline(fresh.map((m) => ['set', seenKey(m.messageId), '1', 'EX', SEEN_TTL_SECONDS, 'NX'])).exec());
      // NX lost: another intake took the same message at the same moment; the later one is the duplicate.
      fresh.forEach((m, i) => marked?.[i]?.[1] === 'OK' && acceptedIds.add(m.messageId));
    }
    // A message repeated inside the page is accepted once, at its first place.
    const outcomes = page.map((m): AcceptOutcome => (acceptedIds.delete(m.messageId) ? 'accepted' : 'duplicate'));
    const counts = new Map<IncomingMessage['source'], { received: number; duplicate: number }>();
    page.forEach((m, i) => {
      const c = counts.get(m.source) ?? { received: 0, duplicate: 0 };
      c[outcomes[i] === 'accepted' ? 'received' : 'duplicate']++;
      counts.set(m.source, c);
    });
    await Promise.all([...counts].flatMap(([source, c]) => [
      ...(c.received ? [deps.stats.received(source, c.received)] : []),
      ...(c.duplicate ? [deps.stats.dropped(source, 'duplicate', c.duplicate)] : []),
    ]));
    return outcomes;
  }

  const singles = createGroupCommit<IncomingMessage, AcceptOutcome>((_key, messages) => acceptChunk(messages), { windowMs: SINGLE_MESSAGE_WINDOW_MS,
    maxBatch: MAX_BATCH, maxInFlight: 2 });

  return {
    stats: deps.stats,
    accept: (message) => singles.submit('incoming', message),
    async acceptMany(messages) {
      const total: PageResult = { accepted: 0, duplicates: 0 };
      for (let i = 0; i < messages.length; i += MAX_BATCH) {
        for (const outcome of await acceptChunk(messages.slice(i, i + MAX_BATCH))) total[outcome === 'accepted' ? 'accepted' : 'duplicates']++;
      }
      return total;
    },
    batching: () => singles.stats(),
    async seen(messageId) {
      return (await deps.redis.exists(seenKey(messageId))) === 1;
    },
  };
}
