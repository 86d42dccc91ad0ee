/**
 * The citizen's key to their case's public status page: `/status/<registration number>?token=<secret>`, sent in every
 * notice. The token is an HMAC of the case id under a key derived from the deployment's secret (the hash salt), so
 * nothing is stored and every notice can carry it again; without the key it cannot be guessed from the number.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../lib/logger.js';

export interface StatusLinks {
  /** The page of a case with its token, on the public address. */
  url(c: { id: string; registrationNumber: string }): string;
  token(caseId: string): string;
  /** Whether `token` is the case's, compared in constant time. */
  verify(caseId: string, token: string): boolean;
}

/** 24 bytes of HMAC-SHA256: 192 bits, 32 URL-safe characters. */
const TOKEN_BYTES = 24;

/** `baseUrl` may be a function: without OTKLIK_PUBLIC_URL the address is known only once the server listens. */
export function createStatusLinks(opts: { secret: string; baseUrl: string | (() => string) }): StatusLinks {
  // A key of its own, so a token never equals another HMAC made with the salt (author hashes, sealing keys).
  const key = createHmac('sha256', opts.secret).update('otklik:status-page-token:v1').digest();
  const digest = (caseId: string) => createHmac('sha256', key).update(`status:${caseId}`).digest().subarray(0, TOKEN_BYTES);
  const base = () => (typeof opts.baseUrl === 'string' ? opts.baseUrl : opts.baseUrl()).replace(/(?<!\/)\/+$/, '');
  return {
    token: (caseId) => digest(caseId).toString('base64url'),
    url: (c) => `${base()}/status/${encodeURIComponent(c.registrationNumber)}?token=${digest(c.id).toString('base64url')}`,
    verify(caseId, token) {
      // Compared as text: a decoder would skip stray characters, and a token has exactly one spelling.
      const given = Buffer.from(token);
      const expected = Buffer.from(digest(caseId).toString('base64url'));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/**
 * The links of a deployment: on OTKLIK_PUBLIC_URL, else on this server's own address once it listens
 * (http://localhost:PORT), which only someone on this machine can open, so the log says so at start.
 */
export function statusLinksOf(opts: { secret: string; publicUrl?: string; port: number; ownUrl: () => string | undefined; logger: Logger }): StatusLinks {
  if (opts.publicUrl) return createStatusLinks({ secret: opts.secret, baseUrl: opts.publicUrl });
  opts.logger.warn({ fallback: `http://localhost:${opts.port}` }, "OTKLIK_PUBLIC_URL is not set: the status page links in citizens' notices point at " +
    "this server's local address, which citizens cannot open; set OTKLIK_PUBLIC_URL to the address they reach Otklik at");
  return createStatusLinks({ secret: opts.secret, baseUrl: () => opts.ownUrl()?.replace('//127.0.0.1', '//localhost') ?? `http://localhost:${opts.port}` });
}
