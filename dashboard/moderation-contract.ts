/**
 * What the monitoring inbox asks of the cases it shows: the listing, its facets and live mark, corrections and
 * incident merges. main.ts hands the functions in (the stage that owns the cases implements them); the HTTP layer
 * (dashboard/api.ts) validates requests with the schemas here before calling them.
 */
import { z } from 'zod';
import { SOURCES } from '../lib/queues.js';

export const inboxQuery = z.object({
  status: z.enum(['moderation', 'routed', 'rejected', 'all']).default('moderation'),
  source: z.enum(SOURCES).optional(),
  kind: z.enum(['complaint', 'question', 'other']).optional(),
  municipality: z.string().trim().min(1).max(300).optional(),
  category: z.string().trim().min(1).max(200).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(['newest', 'urgent']).default('newest'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

export const inboxItem = z.object({
  id: z.uuid(),
  registrationNumber: z.string(),
  status: z.string(),
  version: z.number(),
  source: z.enum(SOURCES),
  link: z.string().nullable(),
  text: z.string(),
  category: z.string(),
  confidence: z.number(),
  kind: z.string(),
  municipality: z.string().nullable(),
  /** The case's own id while it is an incident of its own. */
  incidentId: z.string(),
  mentions: z.number(),
  fastTrack: z.boolean(),
  registeredAt: z.string(),
  deadlineAt: z.string(),
});
export interface InboxItem extends Omit<z.infer<typeof inboxItem>, 'source'> {
  source: string;
}

export const correctionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('category'), label: z.string().trim().min(1).max(200), expectedVersion: z.number().int().min(0) }),
  z.object({ field: z.literal('kind'), label: z.enum(['complaint', 'question', 'other']), expectedVersion: z.number().int().min(0) }),
]);
export type CorrectionBody = z.infer<typeof correctionBody>;

export const mergeBody = z.object({ targetId: z.uuid(), caseIds: z.array(z.uuid()).min(1).max(200) });
export type MergeBody = z.infer<typeof mergeBody>;

/** A refusal is a value: its status and words go to the client as they are. */
export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error: string };

export interface InboxModeration {
  /** Incoming posts and calls, one row per case, with how many cases share its incident. */
  listInbox(q: InboxQuery): Promise<{ items: InboxItem[]; total: number }>;
  /** Filter values the inbox offers: categories and municipalities seen so far. */
  inboxFacets(): Promise<{ categories: string[]; municipalities: string[] }>;
  /** Changes whenever a case is registered: clients reload when it does. */
  inboxMark(): Promise<string>;
  /** A category or complaint/question/other correction of a case, kept as training feedback. */
  correctCase(actorId: string, caseId: string, body: CorrectionBody): Promise<Outcome<{ version: number }>>;
  /** Puts cases into the target's incident. */
  mergeIncident(actorId: string, body: MergeBody): Promise<Outcome<{ incidentId: string; moved: number }>>;
  /** Takes a case out of its incident. */
  splitIncident(actorId: string, caseId: string): Promise<Outcome<{ incidentId: string }>>;
}
