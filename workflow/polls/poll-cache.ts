import type { Poll } from './model.js';

export interface PollCache {
  /** The poll, from memory when seen before; concurrent misses share one load. */
  get(id: string): Promise<Poll | null>;
  remember(poll: Poll): void;
  forget(id: string): void;
}

/**
 * Poll definitions for the vote path, which would otherwise read the poll and its questions for every ballot.
 * Never trusted for the decision itself: a vote is inserted only if the poll is still at the cached version (see
 * castVote), so an entry made stale by another process costs one reload, not a wrong vote.
 */
export function createPollCache(load: (id: string) => Promise<Poll | null>, maxEntries = 1000): PollCache {
  const polls = new Map<string, Poll>();
  const loading = new Map<string, Promise<Poll | null>>();
  const remember = (poll: Poll) => {
    polls.delete(poll.id);
    // Oldest entry out: a region runs a handful of polls at once, the bound only guards against id scans.
    if (polls.size >= maxEntries) polls.delete(polls.keys().next().value!);
    polls.set(poll.id, poll);
  };
  return {
    async get(id) {
      const hit = polls.get(id);
      if (hit) return hit;
      let pending = loading.get(id);
      if (!pending) {
        pending = load(id).then((p) => {
          if (p) remember(p);
          return p;
        }).finally(() => loading.delete(id));
        loading.set(id, pending);
      }
      return pending;
    },
    remember,
    forget: (id) => void polls.delete(id),
  };
}

/**
 * One relay nudge per window however many votes commit in it: at thousands of votes a second the relay then
 * publishes their outbox rows in a few large batches instead of chasing every commit.
 */
export function coalesceNudges(relay: { nudge(): void } | undefined, windowMs = 50): { nudge(): void } | undefined {
  if (!relay) return undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    nudge() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        relay.nudge();
      }, windowMs);
      timer.unref();
    },
  };
}
