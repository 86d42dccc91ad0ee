import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../lib/api-builder.js';
import { authorHash, normalizePhone } from '../lib/hash.js';
import { messageIdFor } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { incomingMessageSchema, type IncomingMessage } from '../lib/queues.js';
import { isoDateTime } from '../lib/request-schemas.js';
import type { Intake } from './intake.js';

/** A call card of the region's 122 contact center. */
export const callCardSchema = z.object({
  callId: z.string().trim().min(1).max(200),
  receivedAt: isoDateTime,
  text: z.string().trim().min(1).max(20_000),
  phone: z.string().max(50).optional(),
  name: z.string().max(300).optional(),
  address: z.string().max(1000).optional(),
  municipality: z.string().max(300).optional(),
  /** The operator's reason (rubric) of the call, when the center's card has one: the region's `reasons` fast-track rule reads it. */
  reason: z.string().trim().min(1).max(300).optional(),
});
export type CallCard = z.infer<typeof callCardSchema>;

/** `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
export function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(match[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function normalizeCallCard(card: CallCard, salt: string): IncomingMessage {
  const phone = card.phone ? normalizePhone(card.phone) : undefined;
  // Callers without a number are still one author per call, never merged into one anonymous "person".
  const authorKey = phone || `call:${card.callId}`;
  return incomingMessageSchema.parse({
    messageId: messageIdFor('contact_center', card.callId),
    source: 'contact_center',
    externalId: card.callId,
    receivedAt: card.receivedAt,
    text: card.text,
    authorHash: authorHash(salt, 'contact_center', authorKey),
    contact: { name: card.name, phone },
    place: { address: card.address, municipality: card.municipality },
    attachments: [],
    provenance: { channel: '122', ...(card.reason ? { reason: card.reason } : {}) },
    origin: 'appeal',
    raw: card,
  });
}

export interface ContactCenterDeps {
  intake: Pick<Intake, 'accept'>;
  /** The shared secret, or a getter when administrators may change it while the process runs. */
  secret?: string | (() => string | undefined);
  salt: string;
  logger: Logger;
}

/** The 122 center posts each call card signed with the shared secret; a repeated card makes nothing new. */
export function registerContactCenterRoute(api: ApiBuilder, deps: ContactCenterDeps): void {
  const log = deps.logger.child({ component: 'contact-center' });
  api.route({ method: 'post', path: '/api/v1/contact-center/calls', tag: 'ingest channels', auth: false, credential: 'contactCenterSignature',
    summary: "Take one call card of the region's 122 contact center.",
    description: 'The body is signed: X-Signature is the HMAC-SHA256 of the exact bytes sent. A card sent again (a retry) answers the same messageId.',
    body: callCardSchema, bodyFormat: 'raw', keepNul: true, invalidInput: (issues) => `invalid call card: ${issues}`, status: 202,
    response: z.object({ messageId: z.uuid() }),
    errors: { 401: 'Bad or missing X-Signature', 503: 'Intake is off (no CONTACT_CENTER_SECRET), or the queue is unavailable' }, guard: (req, raw) => {
      const secret = typeof deps.secret === 'function' ? deps.secret() : deps.secret;
      if (!secret) throw new HttpError(503, 'contact center intake is off: CONTACT_CENTER_SECRET is not configured');
      if (!verifySignature(secret, raw ?? Buffer.alloc(0), req.get('x-signature'))) {
        throw new HttpError(401, 'bad or missing X-Signature (expected sha256=<hex HMAC-SHA256 of the body>)');
      }
    } }, async ({ body }) => {
    const message = normalizeCallCard(body, deps.salt);
    try {
      // A repeated card (the 122 center retrying) is accepted again with the same id and makes nothing new.
      await deps.intake.accept(message);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not enqueue call card');
      throw new HttpError(503, 'queue is unavailable, retry later');
    }
    log.info({ messageId: message.messageId }, 'call card accepted');
    return { body: { messageId: message.messageId } };
  });
}
