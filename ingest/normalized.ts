import { authorHash } from '../lib/hash.js';
import { messageIdFor } from '../lib/ids.js';
import { incomingMessageSchema, type IncomingMessage, type IncomingMessageInput } from '../lib/queues.js';
import type { NetworkSource } from '../lib/sources.js';

/** What a network's object makes: a message for the intake, or the reason it is none (counted as dropped). */
export type Normalized = { ok: true; message: IncomingMessage } | { ok: false; reason: string };

/** The text of a message that is only attachments: a message needs one. */
const ONLY_ATTACHMENTS = '(сообщение без текста, см. вложения)';

/**
 * A network's message. Its id derives from the network's own (a redelivery is the same message), its author is the
 * network's key for them hashed with the salt, and its text is cut to what the queue takes (a placeholder when it is
 * only attachments).
 */
export function networkMessage(source: NetworkSource, externalId: string, author: { salt: string; key: string },
  fields: Omit<IncomingMessageInput, 'messageId' | 'source' | 'externalId' | 'authorHash'>): Normalized
{
  const message = incomingMessageSchema.parse({
    ...fields,
    messageId: messageIdFor(source, externalId),
    source,
    externalId,
    text: (fields.text || ONLY_ATTACHMENTS).slice(0, 20_000),
    authorHash: authorHash(author.salt, source, author.key),
  });
  return { ok: true, message };
}
