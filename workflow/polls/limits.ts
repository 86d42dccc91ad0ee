import { createHmac } from 'node:crypto';
import { isIPv4 } from 'node:net';

/**
 * Fixed-window counters in process memory. Per process on purpose: limits guard against floods, not fraud (the
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
      if (!w || t - w.start >= windowMs) windows.set(key, (w = { start: t, n: 0 }));
      w.n++;
      return w.n > limit ? Math.max(1, Math.ceil((w.start + windowMs - t) / 1000)) : 0;
    },
  };
}

/** The client's network (/24 for IPv4, /48 for IPv6), as a salted hash: bursts are visible, addresses are not kept. */
export function networkHash(salt: string, ip: string | undefined): string {
  if (!ip) return '';
  const bare = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  const net = isIPv4(bare) ? bare.split('.').slice(0, 3).join('.') : bare.split(':').slice(0, 3).join(':');
  return createHmac('sha256', salt).update(`net:${net}`).digest('hex').slice(0, 32);
}

/** networkHash for one salt, remembered per address: an HMAC per vote is work a storm from a few networks repeats. */
export function createNetworkHasher(salt: string, maxEntries = 10_000): (ip: string | undefined) => string {
  const known = new Map<string, string>();
  return (ip) => {
    if (!ip) return '';
    let h = known.get(ip);
    if (h === undefined) {
      if (known.size >= maxEntries) known.clear();
      known.set(ip, (h = networkHash(salt, ip)));
    }
    return h;
  };
}
