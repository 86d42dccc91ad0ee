import type { Redis } from 'ioredis';
import { NETWORK_SOURCES } from '../lib/queues.js';

/** Where messages come in (sources) and go out (delivery channels); counted per channel. */
export const CHANNELS = [...NETWORK_SOURCES, 'contact_center', 'widget', 'email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface ChannelStats {
  received: number;
  failed: number;
  sent: number;
  /** Times a network answered 429 / error 6 and we slowed down (nothing is lost). */
  rateLimited: number;
  dropped: Record<string, number>;
}

/**
 * Per-channel counters in Redis hashes: they survive restarts and add up across ingest processes, unlike the
 * in-memory worker counters.
 */
export interface StatsStore {
  received(channel: Channel, n?: number): Promise<void>;
  dropped(channel: Channel, reason: string, n?: number): Promise<void>;
  failed(channel: Channel, n?: number): Promise<void>;
  sent(channel: Channel, n?: number): Promise<void>;
  rateLimited(channel: Channel, n?: number): Promise<void>;
  read(): Promise<Record<Channel, ChannelStats>>;
}

/** What one process counted, for its Prometheus counters (the Redis hashes hold the totals of all processes). */
export type CountObserver = (channel: Channel, result: string, n: number) => void;

export function createStatsStore(redis: Redis, prefix: string, observe?: CountObserver): StatsStore {
  const key = (channel: Channel) => `${prefix}:ingest:stats:${channel}`;
  // Counting must never break intake: a Redis hiccup loses a count, not a message.
  const incr = async (channel: Channel, field: string, n = 1) => {
    observe?.(channel, field.startsWith('dropped:') ? 'dropped' : field, n);
    try {
      await redis.hincrby(key(channel), field, n);
    } catch {
      /* counted best-effort */
    }
  };
  return {
    received: (c, n) => incr(c, 'received', n),
    dropped: (c, reason, n) => incr(c, `dropped:${reason}`, n),
    failed: (c, n) => incr(c, 'failed', n),
    sent: (c, n) => incr(c, 'sent', n),
    rateLimited: (c, n) => incr(c, 'rateLimited', n),
    async read() {
      const out = {} as Record<Channel, ChannelStats>;
      for (const channel of CHANNELS) {
        const h = await redis.hgetall(key(channel));
        const s: ChannelStats = { received: 0, failed: 0, sent: 0, rateLimited: 0, dropped: {} };
        for (const [field, value] of Object.entries(h)) {
          const n = Number(value);
          if (field.startsWith('dropped:')) s.dropped[field.slice(8)] = n;
          else if (field === 'received' || field === 'failed' || field === 'sent' || field === 'rateLimited') s[field] = n;
        }
        out[channel] = s;
      }
      return out;
    },
  };
}
