import { describe, expect, it, vi } from 'vitest';
import type { Poll } from './model.js';
import { coalesceNudges, createPollCache } from './poll-cache.js';

const buildPoll = (overrides: Partial<Poll> = {}): Poll => ({
  id: 'p1',
  title: 'Опрос',
  description: '',
  status: 'open',
  municipalities: [],
  minAge: null,
  opensAt: null,
  closesAt: null,
  liveResults: true,
  version: 2,
  questions: [],
  ...overrides,
});

describe('poll cache', () => {
  it('loads a poll once for concurrent misses, then answers from memory', async () => {
    const load = vi.fn(async (id: string) => buildPoll({ id }));
    const cache = createPollCache(load);
    const got = await Promise.all([cache.get('p1'), cache.get('p1'), cache.get('p1')]);
    expect(got.map((p) => p?.id)).toEqual(['p1', 'p1', 'p1']);
    await cache.get('p1');
    expect(load).toHaveBeenCalledTimes(1);
    cache.forget('p1');
    await cache.get('p1');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not remember an unknown poll, and keeps at most maxEntries', async () => {
    const load = vi.fn(async (id: string) => (id === 'missing' ? null : buildPoll({ id })));
    const cache = createPollCache(load, 2);
    expect(await cache.get('missing')).toBeNull();
    expect(await cache.get('missing')).toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
    for (const id of ['a', 'b', 'c']) await cache.get(id);
    load.mockClear();
    await cache.get('a'); // the oldest was evicted
    await cache.get('c');
    expect(load.mock.calls.map((c) => c[0])).toEqual(['a']);
  });

  it('remember() replaces an entry with the newer version', async () => {
    const cache = createPollCache(async (id) => buildPoll({ id, version: 1 }));
    expect((await cache.get('p1'))?.version).toBe(1);
    cache.remember(buildPoll({ version: 5 }));
    expect((await cache.get('p1'))?.version).toBe(5);
  });
});

describe('coalesced relay nudges', () => {
  it('turns a burst of nudges into one, and nudges again in the next window', () => {
    vi.useFakeTimers();
    try {
      const relay = { nudge: vi.fn() };
      const coalesced = coalesceNudges(relay, 50)!;
      for (let i = 0; i < 1000; i++) coalesced.nudge();
      expect(relay.nudge).not.toHaveBeenCalled();
      vi.advanceTimersByTime(50);
      expect(relay.nudge).toHaveBeenCalledTimes(1);
      coalesced.nudge();
      vi.advanceTimersByTime(50);
      expect(relay.nudge).toHaveBeenCalledTimes(2);
      expect(coalesceNudges(undefined)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
