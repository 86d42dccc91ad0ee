/**
 * The contract between the dashboard's monitoring inbox and the workflow, which owns the cases it shows and
 * changes: request schemas, answers, and the functions main.ts hands the dashboard (workflow/moderation.ts
 * implements them). Like the queue contracts in queues.ts, it lets the two meet without importing each other.
 */
import { z } from 'zod';
import { caseFields } from './case-fields.js';
import { pgInt, pgIntParam } from './request-schemas.js';
import { SOURCES } from './queues.js';

export const CASE_KINDS = ['complaint', 'question', 'other'] as const;

/** The filters, order and page size both monitoring inboxes take: the cases' (below) and the incidents' (monitoring.ts). */
export const inboxFilters = (sort: 'newest' | 'urgent') => ({
  source: z.enum(SOURCES).optional(),
  kind: z.enum(CASE_KINDS).optional(),
  municipality: z.string().trim().min(1).max(300).optional(),
  category: z.string().trim().min(1).max(200).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(['newest', 'urgent']).default(sort),
  limit: pgIntParam.min(1).max(200).default(50),
});

export const inboxQuery = z.object({
  status: z.enum(['moderation', 'routed', 'rejected', 'all']).default('moderation'),
  ...inboxFilters('newest'),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

/**
 * One inbox row as the API answers it (the schema documents the answer; the store's rows are this shape): the case's
 * fields as the case API describes them, and those the inbox documents on its own.
 */
export const inboxItem = z.object(caseFields).pick({
  id: true,
  registrationNumber: true,
  source: true,
  text: true,
  category: true,
  confidence: true,
  kind: true,
  municipality: true,
  fastTrack: true,
}).extend({
  status: z.string(),
  version: z.number(),
  link: z.string().nullable(),
  /** The case's own id while it is an incident of its own. */
  incidentId: z.string(),
  mentions: z.number(),
  registeredAt: z.string(),
  deadlineAt: z.string(),
  /** Where the case went, once routed. */
  organizationName: z.string().nullable().optional(),
});
export interface InboxItem extends Omit<z.infer<typeof inboxItem>, 'source'> {
  source: string;
}

export const correctionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('category'), label: z.string().trim().min(1).max(200), expectedVersion: pgInt.min(0) }),
  z.object({ field: z.literal('kind'), label: z.enum(CASE_KINDS), expectedVersion: pgInt.min(0) }),
]);
export type CorrectionBody = z.infer<typeof correctionBody>;

export const mergeBody = z.object({ targetId: z.uuid(), caseIds: z.array(z.uuid()).min(1).max(200) });
export type MergeBody = z.infer<typeof mergeBody>;

/** A moderation change's answer: the new state, or the HTTP status and message of a refusal. */
export type ModerationResult<T = unknown> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error: string };

/** The inbox operations, bound to the workflow's database by main.ts. */
export interface Moderation {
  listInbox(q: InboxQuery): Promise<{ items: InboxItem[]; total: number }>;
  inboxFacets(): Promise<{ categories: string[]; municipalities: string[] }>;
  inboxMark(): Promise<string>;
  correctCase(actorId: string, caseId: string, body: CorrectionBody): Promise<ModerationResult<{ version: number }>>;
  mergeIncident(actorId: string, body: MergeBody): Promise<ModerationResult<{ incidentId: string; moved: number }>>;
  splitIncident(actorId: string, caseId: string): Promise<ModerationResult<{ incidentId: string }>>;
}
