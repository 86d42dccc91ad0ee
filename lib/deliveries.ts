/**
 * The delivery trail of a case as staff see it: what left for the citizen, on which channel, and what became of it.
 * Ingest owns the deliveries (ingest/delivery-log.ts); main.ts hands the workflow's case page a reader of this type.
 */
import { z } from 'zod';

export const DELIVERY_STATUSES = ['sent', 'recorded', 'retrying', 'failed', 'bounced'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const caseDeliverySchema = z.object({
  outboundId: z.uuid(),
  channel: z.string().nullable(),
  kind: z.string(),
  status: z.enum(DELIVERY_STATUSES).describe(
    'sent; recorded (development mode, not sent); retrying; failed (retries spent, or the channel is off); bounced (refused for this address)',
  ),
  attempts: z.number().int(),
  error: z.string().nullable().describe("Why the last attempt failed (the server's or the provider's answer)"),
  externalRef: z.string().nullable(),
  deliveredAt: z.iso.datetime({ offset: true }).describe('First attempt'),
  updatedAt: z.iso.datetime({ offset: true }).describe('Latest attempt'),
});
export type CaseDelivery = Omit<z.infer<typeof caseDeliverySchema>, 'deliveredAt' | 'updatedAt'> & { deliveredAt: Date | string; updatedAt: Date | string };

/** Reads the deliveries of one case, oldest first. */
export type CaseDeliveries = (caseId: string) => Promise<CaseDelivery[]>;
