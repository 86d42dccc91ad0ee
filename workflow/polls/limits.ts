import { createHmac } from 'node:crypto';
import { isIPv4 } from 'node:net';

export { createRateLimiter } from '../../lib/rate-limit.js';

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
      known.set(ip, h = networkHash(salt, ip));
    }
    return h;
  };
}
