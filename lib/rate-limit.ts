/**
 * Fixed-window counters in process memory: the flood limits of public endpoints (polls, the status page). Per process on purpose: limits guard against floods, not fraud (the
 * unique constraint guards the count), and a PostgreSQL counter row per IP would serialise every vote behind it.
 */
export function createRateLimiter(limit: number, windowMs: number, now: () => number = Date.now) {
  const windows = new Map<string, { start: number; n: number }>();
  let lastSweep = now();
  return {
    /** Counts one hit; returns seconds to wait when the key is over its limit, else 0. */
    hit(key: string): number {
      const t = now();
      if (t - lastSweep > windowMs) {
        for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
        lastSweep = t;
      }
      let w = windows.get(key);
      if (!w || t - w.start >= windowMs) windows.set(key, w = { start: t, n: 0 });
      w.n++;
      return w.n > limit ? Math.max(1, Math.ceil((w.start + windowMs - t) / 1000)) : 0;
    },
  };
}
