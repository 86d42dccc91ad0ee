import { createHash, randomUUID } from 'node:crypto';

const OTKLIK_NAMESPACE = '6f1d2c7e-5b8a-4f3e-9c1d-0a7b3e5f9d21';

/**
 * RFC 4122 version-5 UUID. Ids derived from a channel's own identifiers make every ingest idempotent:
 * a redelivered post gets the same messageId, so the database refuses a second case by primary key.
 */
export function uuidV5(name: string, namespace: string = OTKLIK_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function messageIdFor(source: string, externalId: string): string {
  return uuidV5(`message:${source}:${externalId}`);
}

/** Event ids are derived from what happened, so a re-emitted event is recognisably the same event. */
export function eventIdFor(...parts: string[]): string {
  return uuidV5(`event:${parts.join(':')}`);
}

export { randomUUID };
