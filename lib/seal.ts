import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Personal data riding in job payloads (a citizen's name, phone, e-mail, channel user id, the channel's raw payload,
 * a reply's recipient) is sealed with AES-256-GCM, so Redis, its dumps and the queue board hold ciphertext only.
 * The key is derived from the deployment's secret (the author-hash salt: OTKLIK_HASH_SALT, or the one generated and
 * kept in PostgreSQL), which every process of a deployment shares and Redis alone does not reveal.
 */
export interface Sealer {
  /** `v1.<base64url(iv | tag | ciphertext)>` of the value's JSON; `context` (e.g. the message id) must match to open. */
  seal(value: unknown, context: string): string;
  /** The sealed value; throws a SealError when it was tampered with, moved to another context or sealed by another key. */
  open(sealed: string, context: string): unknown;
}

export class SealError extends Error {}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** HKDF-SHA256 of the secret with a label of its own: the author-hash HMAC and this key never coincide. */
export function sealKey(secret: string): Buffer {
  if (!secret) throw new SealError('a sealing key needs a non-empty secret');
  return Buffer.from(hkdfSync('sha256', secret, 'otklik', 'otklik payload seal v1', 32));
}

export function createSealer(secret: string): Sealer {
  const key = sealKey(secret);
  return {
    seal(value, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(JSON.stringify(value ?? null), 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed, context) {
      const dot = sealed.indexOf('.');
      if (dot < 0 || sealed.slice(0, dot) !== VERSION) throw new SealError('not a sealed value of a known version');
      const bytes = Buffer.from(sealed.slice(dot + 1), 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealError('sealed value is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      let text: string;
      try {
        text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SealError('sealed value does not open: another deployment secret, another context, or tampered with');
      }
      return JSON.parse(text) as unknown;
    },
  };
}
