/**
 * What ingest asks of the stage that owns messages and cases (the workflow): main.ts hands the functions in, so
 * ingest reads none of its tables.
 */
import { z } from 'zod';
import { attachmentSchema, placeSchema, sourceSchema, type Source } from '../lib/queues.js';

/** A stored message as the staff listing shows it (the schema documents the listing's answer). */
export const storedMessageSchema = z.object({
  messageId: z.uuid(),
  source: sourceSchema,
  externalId: z.string(),
  authorHash: z.string(),
  text: z.string(),
  link: z.string().nullable(),
  attachments: z.array(attachmentSchema),
  place: placeSchema,
  provenance: z.record(z.string(), z.unknown()),
  receivedAt: z.iso.datetime({ offset: true }),
  registrationNumber: z.string().nullable().describe('The number of the case the message became, once it did'),
});
export type StoredMessage = Omit<z.infer<typeof storedMessageSchema>, 'receivedAt'> & { receivedAt: Date | string };

export interface CaseLookups {
  /** Stored messages of every channel (or one), newest first, with their case numbers. */
  listMessages(q: { source?: Source; limit: number; offset: number }): Promise<StoredMessage[]>;
  /** The case a widget submission became: its number and status, or null while there is none. */
  widgetCase(messageId: string): Promise<{ registrationNumber: string; status: string } | null>;
}
