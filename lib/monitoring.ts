/**
 * The contract between the dashboard's monitoring inbox and the workflow, which owns signals and incidents:
 * request schemas, answers, and the functions main.ts hands the dashboard (workflow/signals/monitoring.ts implements
 * them), plus the delivery status of replies that ingest, which delivers them, reports (ingest/deliveries.ts).
 * Like lib/moderation.ts for cases, it lets the stages meet without importing each other.
 */
import { z } from 'zod';
import type { ModerationResult } from './moderation.js';
import { CASE_KINDS, inboxFilters } from './moderation.js';
import { pgInt, pgIntParam } from './request-schemas.js';

export const INCIDENT_STATUSES = ['new', 'accepted', 'rejected', 'answered'] as const;

export const incidentQuery = z.object({
  /** `open`: new and accepted, and answered ones with late arrivals waiting: what the team still owes a reaction or an answer. */
  status: z.enum(['open', ...INCIDENT_STATUSES, 'all']).default('open'),
  ...inboxFilters('urgent'),
  /** The growth column counts the signals of the last this many hours. */
  growthHours: pgIntParam.min(1).max(72).default(6),
});
export type IncidentQuery = z.infer<typeof incidentQuery>;

const iso = z.string().describe('ISO 8601 time');
export const suggestionSchema = z.object({
  label: z.string().describe("The routing model's label: an organization code or name"),
  score: z.number(),
  organizationId: z.string().nullable().describe('The organization the label names, when there is one'),
  organizationName: z.string().nullable(),
});

/** One inbox row: an incident with its aggregates and its lead signal's text. */
export const incidentListItem = z.object({
  id: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  version: z.number(),
  caseId: z.string().nullable(),
  registrationNumber: z.string().nullable(),
  caseStatus: z.string().nullable(),
  organizationName: z.string().nullable(),
  caseDeadlineAt: iso.nullable(),
  rejectionReason: z.string().nullable(),
  firstReactionAt: iso.nullable(),
  answeredAt: iso.nullable(),
  kind: z.enum(CASE_KINDS),
  size: z.number(),
  channels: z.array(z.string()),
  municipalities: z.array(z.string()),
  firstSeenAt: iso,
  lastSeenAt: iso,
  growth: z.number().describe('Signals of the last growthHours'),
  reactionDueAt: iso.nullable().describe('The earliest reaction deadline of its signals still waiting for one'),
  fastTrack: z.boolean(),
  lateSignals: z.number().describe('Signals that joined after the answer was published and have none yet'),
  text: z.string(),
  link: z.string().nullable(),
  source: z.string(),
  category: z.string(),
  confidence: z.number(),
  leadMessageId: z.string(),
  suggestions: z.array(suggestionSchema).max(3).describe("The routing model's top organizations for the incident"),
});
export type IncidentListItem = Omit<z.infer<typeof incidentListItem>,
  'suggestions' | 'firstSeenAt' | 'lastSeenAt' | 'reactionDueAt' | 'caseDeadlineAt' | 'firstReactionAt' | 'answeredAt'> & {
  suggestions?: z.infer<typeof suggestionSchema>[];
  firstSeenAt: Date | string;
  lastSeenAt: Date | string;
  reactionDueAt: Date | string | null;
  caseDeadlineAt: Date | string | null;
  firstReactionAt: Date | string | null;
  answeredAt: Date | string | null;
};

export const DELIVERY_STATES = ['queued', 'sent', 'recorded', 'retrying', 'failed'] as const;
export const deliverySchema = z.object({
  state: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  error: z.string().optional(),
  externalRef: z.string().optional(),
  at: iso.optional(),
});
export type Delivery = Omit<z.infer<typeof deliverySchema>, 'at'> & { at?: Date | string };

/** What ingest tells of the replies it delivers, by outbound id (a reply still in the outbox is `queued`). */
export interface DeliveryReads {
  statusOf(outboundIds: string[]): Promise<Record<string, Delivery>>;
  /** Sends a failed delivery again; false when it is not failed (or not there). */
  retry(outboundId: string): Promise<boolean>;
}

export const threadSchema = z.object({
  key: z.string(),
  source: z.string(),
  own: z.boolean().describe('The region writes here; otherwise the operator answers by hand'),
  link: z.string().nullable(),
  signals: z.number(),
  replies: z.array(
    z.object({ outboundId: z.string(), kind: z.enum(['interim', 'answer']), text: z.string(), createdAt: iso, delivery: deliverySchema.optional() }),
  ),
});
export const incidentDetail = z.object({
  incident: incidentListItem.omit({ suggestions: true }).extend({ answerText: z.string().nullable() }),
  signals: z.array(z.object({
    messageId: z.string(),
    source: z.string(),
    text: z.string(),
    link: z.string().nullable(),
    kind: z.string(),
    category: z.string(),
    municipality: z.string().nullable(),
    status: z.string(),
    receivedAt: iso,
    reactionDueAt: iso.nullable(),
    firstReactionAt: iso.nullable(),
    joinedAfterAnswer: z.boolean(),
    thread: z.string(),
  })),
  threads: z.array(threadSchema),
  history: z.array(
    z.object({ at: iso, actor: z.string(), actorName: z.string().nullable(), type: z.string(), comment: z.string().nullable(),
      data: z.record(z.string(), z.unknown()) }),
  ),
});
export type IncidentDetail = z.infer<typeof incidentDetail>;

export const spikeAlertSchema = z.object({
  id: z.string(),
  kind: z.enum(['incident', 'topic']),
  incidentId: z.string().nullable(),
  category: z.string().nullable(),
  municipality: z.string().nullable(),
  count: z.number(),
  baseline: z.number(),
  windowHours: z.number(),
  at: iso,
  acknowledgedAt: iso.nullable(),
});
/** An alert as the API answers it, times as ISO strings: what the monitoring page reads. */
export type SpikeAlertAnswer = z.infer<typeof spikeAlertSchema>;
/** An alert as the workflow holds it: its times as the database gives them, or as answered. */
export type SpikeAlert = Omit<SpikeAlertAnswer, 'at' | 'acknowledgedAt'> & { at: Date | string; acknowledgedAt: Date | string | null };

const version = { expectedVersion: pgInt.min(0) };
export const acceptIncidentBody = z.object({
  ...version,
  organizationId: z.uuid().optional(),
  autoRoute: z.boolean().optional().describe('Without organizationId: route by the routing table and model'),
});
export const routeIncidentBody = z.object({ ...version, organizationId: z.uuid().optional() });
export const rejectIncidentBody = z.object({ ...version, reason: z.string().trim().min(3).max(2000) });
export const interimBody = z.object({ ...version, text: z.string().trim().min(10).max(4000).optional() });
export const answerIncidentBody = z.object({ ...version, text: z.string().trim().min(10).max(4000) });
export const versionBody = z.object(version);
export const signalCorrectionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('category'), label: z.string().trim().min(1).max(200) }),
  z.object({ field: z.literal('kind'), label: z.enum(CASE_KINDS) }),
]);
export const mergeIncidentsBody = z.object({ targetId: z.string().min(1).max(100), incidentIds: z.array(z.string().min(1).max(100)).min(1).max(200) });

export const caseOutcome = z.object({ caseId: z.string(), registrationNumber: z.string(), caseStatus: z.string(), organizationId: z.string().nullable() });
export const publishOutcome = z.object({
  queued: z.array(z.string()).describe('Threads a reply was queued to'),
  already: z.array(z.string()).describe('Threads that had this reply already'),
  byHand: z.array(z.object({ key: z.string(), link: z.string().nullable() })).describe('Threads the region does not write in: answer there by hand'),
});

type R<T> = Promise<ModerationResult<T>>;
type CaseOutcome = z.infer<typeof caseOutcome>;
type PublishOutcome = z.infer<typeof publishOutcome>;

/** The monitoring inbox's operations, bound to the workflow's database by main.ts. */
export interface Monitoring {
  listIncidents(q: IncidentQuery): Promise<{ items: IncidentListItem[]; total: number }>;
  facets(): Promise<{ categories: string[]; municipalities: string[] }>;
  mark(): Promise<string>;
  incident(id: string): Promise<IncidentDetail | undefined>;
  accept(actorId: string, id: string, body: z.infer<typeof acceptIncidentBody>): R<CaseOutcome>;
  route(actorId: string, id: string, body: z.infer<typeof routeIncidentBody>): R<CaseOutcome>;
  reject(actorId: string, id: string, body: z.infer<typeof rejectIncidentBody>): R<{ status: string }>;
  interim(actorId: string, id: string, body: z.infer<typeof interimBody>): R<PublishOutcome>;
  answer(actorId: string, id: string, body: z.infer<typeof answerIncidentBody>): R<PublishOutcome>;
  republish(actorId: string, id: string, body: z.infer<typeof versionBody>): R<PublishOutcome>;
  merge(actorId: string, body: z.infer<typeof mergeIncidentsBody>): R<{ incidentId: string; moved: number }>;
  split(actorId: string, messageId: string): R<{ incidentId: string }>;
  /** Corrects a signal's kind or category (kept as training feedback); the kind moves its reaction term. */
  correct(actorId: string, messageId: string,
    body: z.infer<typeof signalCorrectionBody>): R<{ incidentId: string; kind: string; category: string; reactionDueAt: Date | string | null }>;
  alerts(q: { limit: number; unacknowledgedOnly: boolean }): Promise<SpikeAlert[]>;
  acknowledgeAlert(actorId: string, alertId: string): Promise<boolean>;
}
