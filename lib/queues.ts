/**
 * The queue contracts: the only place where stages meet. Ingest, classify, workflow and analytics never
 * import each other; they agree on the names and payload schemas below.
 */
import { Queue, type JobsOptions, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { isoDateTime } from './request-schemas.js';
import { isNetworkSource, NETWORK_SOURCES, SOURCES } from './sources.js';

export { isNetworkSource, NETWORK_SOURCES, SOURCES, type NetworkSource } from './sources.js';
export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

// Dates PostgreSQL stores as given: a payload that passed here cannot fail at registration on its time zone.
const isoDate = isoDateTime;

export const attachmentSchema = z.object({
  kind: z.enum(['photo', 'video', 'document', 'audio', 'link', 'location', 'other']),
  /** A channel's own reference (VK "photo-1_2", Telegram file_id, URL); files are not copied. */
  ref: z.string().min(1).max(2000),
  mime: z.string().max(200).optional(),
  size: z.number().int().nonnegative().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const contactSchema = z.object({
  name: z.string().max(300).optional(),
  phone: z.string().max(50).optional(),
  email: z.string().max(300).optional(),
  /** How to reach the author on the original channel (VK user id, Telegram chat id, …). */
  channelUserId: z.string().max(100).optional(),
});
export type Contact = z.infer<typeof contactSchema>;

export const placeSchema = z.object({
  address: z.string().max(1000).optional(),
  municipality: z.string().max(300).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
});
export type Place = z.infer<typeof placeSchema>;

/** The one shape every channel normalises its messages into. */
export const incomingMessageSchema = z.object({
  messageId: z.uuid(),
  source: sourceSchema,
  /** The channel's own id of the item (call id, VK owner_post_comment, Telegram chat:message); unique per source. */
  externalId: z.string().min(1).max(300),
  receivedAt: isoDate,
  text: z.string().min(1).max(20_000),
  authorHash: z.string().min(8).max(128),
  /**
   * Personal data: stored separately from the case and never sent to analytics. In a job payload it is sealed
   * (see `sealed`): producers call sealIncoming, the workflow openIncoming.
   */
  contact: contactSchema.default({}),
  place: placeSchema.default({}),
  link: z.string().max(2000).optional(),
  attachments: z.array(attachmentSchema).max(50).default([]),
  /**
   * Where the message came from beyond the channel: site and organisation of a widget, VK community, … Networks
   * added later put the address a reply goes to under `reply.<key>` (MAX `reply.chatId`, Одноклассники
   * `reply.groupId`, …): the workflow hands those keys back as the outbound `target` (workflow/notify.ts).
   */
  provenance: z.record(z.string(), z.string()).default({}),
  /**
   * `appeal`: sent to the region (122, the widget, the bot, a message to the official community), answered on its
   * channel on ПОС terms in days. `signal`: found by monitoring (posts, comments, search hits), worked by the
   * monitoring team in hours, never answered automatically. Absent in jobs of older versions: see originOf.
   */
  origin: z.enum(['appeal', 'signal']).optional(),
  /** The channel's own payload as received (names, ids, phones): personal data, sealed in job payloads like contact. */
  raw: z.unknown(),
  /** `contact` and `raw` sealed by lib/seal.ts (both are empty in the clear then); absent in jobs of older versions. */
  sealed: z.string().min(1).optional(),
});
export type IncomingMessage = z.infer<typeof incomingMessageSchema>;
export type MessageOrigin = NonNullable<IncomingMessage['origin']>;

/**
 * A message's origin: as its channel marked it, or for older jobs as its channel implies — a community message (VK
 * `peerId`), a citizen bot's dialog (Telegram, MAX) or a message to an Одноклассники group is an appeal, any other
 * network item a signal; the 122 and the widget always carry appeals.
 */
export function originOf(m: Pick<IncomingMessage, 'origin' | 'source' | 'provenance'>): MessageOrigin {
  if (m.origin) return m.origin;
  switch (m.source) {
    case 'vk':
      return m.provenance.peerId ? 'appeal' : 'signal';
    case 'telegram':
    case 'max':
      return m.provenance.via === 'bot' ? 'appeal' : 'signal';
    case 'ok':
      return m.provenance.via === 'message' ? 'appeal' : 'signal';
    default:
      return 'appeal';
  }
}
export type IncomingMessageInput = z.input<typeof incomingMessageSchema>;

/** Most jobs a batch carries: a VK page is 100, an import chunk a few hundred. */
export const MAX_BATCH = 500;

/**
 * A page of messages in one job (pollers, importers): one hop per page instead of one per message. Elements are
 * checked one by one (parseBatchPayload), so one malformed message does not cost the valid ones beside it.
 */
const incomingBatchEnvelope = z.object({ messages: z.array(z.unknown()).min(1).max(MAX_BATCH) });
export type IncomingBatch = { messages: IncomingMessage[] };
/** The `incoming` payload: one message (HTTP channels, jobs queued before batches existed) or a page of them. */
export type IncomingPayload = IncomingMessage | IncomingBatch;

export const classificationSchema = z.object({
  category: z.string().min(1),
  confidence: z.number().min(0).max(1),
  top: z.array(z.object({ label: z.string(), score: z.number() })).default([]),
  /** complaint / question / other: whether the message needs an answer at all. */
  kind: z.enum(['complaint', 'question', 'other']).default('complaint'),
  /** How sure the complaint detector was of `kind` (absent where no detector ran: appeals, older jobs). */
  kindConfidence: z.number().min(0).max(1).optional(),
  fastTrack: z.boolean(),
  deadlineDays: z.number().int().min(1).max(30),
  federalService: z.string().optional(),
  deadlineRule: z.string(),
  municipality: z.string().optional(),
  incidentId: z.string().optional(),
  modelVersion: z.string().min(1),
  /** Top organizations of the routing model (labels are organization codes or names), best first; absent without a model. */
  routing: z.array(z.object({ organization: z.string().min(1).max(500), score: z.number().min(0).max(1) })).max(10).optional(),
});
export type Classification = z.infer<typeof classificationSchema>;

export const classifiedMessageSchema = z.object({
  message: incomingMessageSchema,
  classification: classificationSchema,
  classifiedAt: isoDate,
});
export type ClassifiedMessage = z.infer<typeof classifiedMessageSchema>;

const classifiedBatchEnvelope = z.object({ items: z.array(z.unknown()).min(1).max(MAX_BATCH) });
export type ClassifiedBatch = { items: ClassifiedMessage[] };
/** The `classified` payload: one classified message or a batch (the classify stage forwards its input's batch). */
export type ClassifiedPayload = ClassifiedMessage | ClassifiedBatch;

/**
 * The case lifecycle of ПОС, shared by the workflow (which moves cases), analytics (SLA, funnels) and the
 * dashboard: moderation → routed → assigned → in_progress → draft → on_approval → returned | approved →
 * answered (sent on the original channel) → rated → closed, or repeat_review; rejected at moderation.
 */
export const CASE_STATUSES = [
  'moderation',
  'rejected',
  'routed',
  'assigned',
  'in_progress',
  'draft',
  'on_approval',
  'returned',
  'approved',
  'answered',
  'rated',
  'repeat_review',
  'closed',
] as const;
export const caseStatusSchema = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof caseStatusSchema>;

export const EVENT_TYPES = [
  'message.received',
  'message.classified',
  'case.created',
  'case.transition',
  'case.rated',
  /** The monitoring team corrected the case's category or kind (props: field, from, to); the status stays. */
  'case.corrected',
  /** The case moved to another incident, merged or split (incidentId: the new one; props: action, from). */
  'case.incident',
  'reply.sent',
  'vote.cast',
  /**
   * A signal (a post monitoring found) was taken in (deadlineAt: its reaction deadline, absent for `other`), accepted
   * as a case (props.answerDueAt: its case's deadline), rejected, first reacted to (props.how: interim / answer) and
   * answered; one of each per message. Once routing names the organization, every later step carries it.
   */
  'signal.received',
  'signal.accepted',
  'signal.rejected',
  'signal.reacted',
  'signal.answered',
  /** The signal's case was routed (again) to organizationId; one per routing step. */
  'signal.routed',
  /** The team corrected the signal's kind or category (props: field, from, to); deadlineAt is its term now, absent when none. */
  'signal.corrected',
] as const;

/**
 * One wide analytics event. No personal data: authors only as salted hashes, no texts.
 * Optional dimensions stay empty strings in ClickHouse, so rows are converted at the edge (analytics/).
 */
export const analyticsEventSchema = z.object({
  eventId: z.uuid(),
  type: z.enum(EVENT_TYPES),
  at: isoDate,
  messageId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  source: sourceSchema.optional(),
  category: z.string().max(200).optional(),
  municipality: z.string().max(300).optional(),
  organizationId: z.string().max(100).optional(),
  status: z.string().max(50).optional(),
  fromStatus: z.string().max(50).optional(),
  fastTrack: z.boolean().optional(),
  kind: z.string().max(20).optional(),
  confidence: z.number().min(0).max(1).optional(),
  modelVersion: z.string().max(200).optional(),
  authorHash: z.string().max(128).optional(),
  deadlineAt: isoDate.optional(),
  rating: z.number().int().min(1).max(5).optional(),
  incidentId: z.string().max(100).optional(),
  actor: z.string().max(100).optional(),
  props: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type AnalyticsEvent = z.infer<typeof analyticsEventSchema>;
export type AnalyticsEventInput = z.input<typeof analyticsEventSchema>;

/** Several events ride in one job: the analytics worker batches them into ClickHouse anyway. */
export const eventBatchSchema = z.object({ events: z.array(analyticsEventSchema).min(1).max(10_000) });
export type EventBatch = z.infer<typeof eventBatchSchema>;

/**
 * How a message leaves Otklik: the networks a reply is posted on, and the channels that reach a person directly.
 * Each has one adapter in ingest/ (ingest/outbound.ts holds the registry); a channel without its settings records
 * what it would have sent.
 */
/** Each network answers on itself; e-mail and SMS reach the citizens of the 122 and the widget. */
export const DELIVERY_CHANNELS = [...NETWORK_SOURCES, 'email', 'sms'] as const;
export const deliveryChannelSchema = z.enum(DELIVERY_CHANNELS);
export type DeliveryChannel = z.infer<typeof deliveryChannelSchema>;

/** The longest SMS, text and links together: 8 Cyrillic parts of 67 characters (SMS.ru's limit); the adapter cuts longer ones. */
export const SMS_MAX_CHARS = 8 * 67;

/**
 * What an outbound message is. Citizens' notices about their case: `registered`, `status` (routed, redirected,
 * assigned, repeat review …), `answer`, `rejection`, `rating_request`, `interim` (a public «взято в работу» on a
 * signal's thread). Without a case: `poll` (a pushed poll), `code` (a one-time code), and staff mail: `staff_alert`,
 * `staff_digest`, `invitation`.
 */
export const OUTBOUND_KINDS = [
  'registered',
  'status',
  'answer',
  'rejection',
  'rating_request',
  'interim',
  'poll',
  'code',
  'staff_alert',
  'staff_digest',
  'invitation',
] as const;
/** Kinds that belong to no case (caseId and messageId may be absent). */
export const CASELESS_KINDS: ReadonlySet<OutboundKind> = new Set(['poll', 'code', 'staff_alert', 'staff_digest', 'invitation']);
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];

/**
 * One message leaving on a channel (served by the channel adapters in ingest/). `target` keys per channel:
 * vk: `ownerId`, `postId`, optional `commentId` (reply_to_comment), or `peerId` for a community message, or
 * `groupId` + `topicId`; telegram: `chatId`, optional `replyToMessageId`; max: `chatId` or `userId`, optional `replyToMid`, or `postId` (a channel post's comments, optional `commentId`);
 * ok: `groupId` with `chatId` (a group message, optional `replyToMid`) or `topicId` (a post's comments, optional
 * `commentId`); email: `email`; sms: `phone`.
 * Jobs of older versions carry no `channel`: it is derived from `source` and `target` (deliveryChannelOf).
 */
export const outboundMessageSchema = z.object({
  outboundId: z.uuid(),
  caseId: z.uuid().optional(),
  messageId: z.uuid().optional(),
  /** A reply on a signal's thread names its incident; one the monitoring team answered itself has no case. */
  incidentId: z.string().min(1).max(100).optional(),
  /**
   * `public`: posted in a thread everyone reads (a signal's interim reply or answer), so nothing private rides along
   * (no rating buttons). Absent: a notice to the author of an appeal.
   */
  audience: z.enum(['author', 'public']).optional(),
  /** The channel the case came from (absent for messages that belong to no case). */
  source: sourceSchema.optional(),
  channel: deliveryChannelSchema.optional(),
  kind: z.enum(OUTBOUND_KINDS),
  /** `poll` only: the poll whose voting keyboard the channel attaches (Telegram). */
  pollId: z.uuid().optional(),
  /** E-mail subject; other channels ignore it. */
  subject: z.string().min(1).max(300).optional(),
  text: z.string().min(1).max(10_000),
  /** Links the channel renders as it can (e-mail: anchors; text channels: title and URL on their own line). */
  links: z.array(z.object({ title: z.string().min(1).max(300), url: z.string().min(1).max(2000) })).max(20).optional(),
  /** Channel-specific address, see above. Sealed in job payloads. */
  target: z.record(z.string(), z.string()),
  /** `target` sealed by lib/seal.ts (target is `{}` in the clear then); absent in jobs of older versions. */
  sealed: z.string().min(1).optional(),
}).superRefine((m, ctx) => {
  if (m.kind === 'poll' && !m.pollId) ctx.addIssue({ code: 'custom', path: ['pollId'], message: 'a poll message needs pollId' });
  if (!m.channel && !m.source) ctx.addIssue({ code: 'custom', path: ['channel'], message: "channel (or the case's source) is required" });
  if (CASELESS_KINDS.has(m.kind)) return;
  if (!m.caseId && !m.incidentId) ctx.addIssue({ code: 'custom', path: ['caseId'], message: 'required' });
  if (!m.messageId) ctx.addIssue({ code: 'custom', path: ['messageId'], message: 'required' });
});
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

/**
 * The channel a message leaves on: its own `channel`, else the case's network, else the citizen's contact (e-mail
 * before SMS: it carries the answer's text and links in full). Undefined when nothing addresses it.
 */
export function deliveryChannelOf(m: Pick<OutboundMessage, 'channel' | 'source' | 'target'>): DeliveryChannel | undefined {
  if (m.channel) return m.channel;
  if (isNetworkSource(m.source)) return m.source;
  if (m.target.email) return 'email';
  if (m.target.phone) return 'sms';
  return undefined;
}

/** What a citizen does about an existing case from a channel (the Telegram bot's rating buttons, …). */
export const citizenActionSchema = z.object({
  actionId: z.string().min(1).max(200),
  kind: z.enum(['rating', 'repeat_review_request']),
  /** The message the case was registered from; channels know it, they never need to know case ids. */
  messageId: z.uuid(),
  source: sourceSchema,
  /**
   * Who acted, as the channel verified it: the salted hash of the sender, computed the way the channel hashed the
   * case's author. Ids are computable, so the workflow applies the action only for the case's author (citizen-desk.ts).
   */
  authorHash: z.string().min(8).max(128),
  /** The chat or peer the action came from; when the case has one, it must be the same. */
  channelUserId: z.string().min(1).max(100).optional(),
  rating: z.number().int().min(1).max(5).optional(),
  comment: z.string().max(5000).optional(),
  at: isoDate,
});
export type CitizenAction = z.infer<typeof citizenActionSchema>;

/**
 * A deadline reminder of the workflow (a delayed job, id `remind-<caseId>-<kind>`). Internal to workflow/: no other
 * stage produces or consumes it; it is listed here because every queue has its contract here.
 */
export const reminderJobSchema = z.object({
  caseId: z.uuid(),
  kind: z.string().min(1).max(50),
  dueAt: isoDate,
});
export type ReminderJob = z.infer<typeof reminderJobSchema>;

/**
 * The workflow's scheduled staff work, on the same queue as its reminders (job schedulers in Redis, not process
 * timers): `alerts` sends the grouped staff alerts and escalations (every minute), `digest` the staff digests (at the
 * region's digest times). Internal to workflow/ like reminders.
 */
export const staffTimerJobSchema = z.object({ staff: z.enum(['alerts', 'digest']) });
export type StaffTimerJob = z.infer<typeof staffTimerJobSchema>;
/** What the `workflow-reminders` queue carries: a case reminder, or scheduled staff work. */
export type WorkflowTimerJob = ReminderJob | StaffTimerJob;

export const QUEUES = {
  incoming: 'incoming',
  classified: 'classified',
  events: 'events',
  outbound: 'outbound',
  citizenActions: 'citizen-actions',
  reminders: 'workflow-reminders',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const payloadSchemas = {
  incoming: z.union([z.object({ messages: z.array(incomingMessageSchema).min(1).max(MAX_BATCH) }), incomingMessageSchema]),
  classified: z.union([z.object({ items: z.array(classifiedMessageSchema).min(1).max(MAX_BATCH) }), classifiedMessageSchema]),
  events: eventBatchSchema,
  outbound: outboundMessageSchema,
  'citizen-actions': citizenActionSchema,
  'workflow-reminders': z.union([reminderJobSchema, staffTimerJobSchema]),
} satisfies Record<QueueName, z.ZodType>;

export interface QueuePayloads {
  incoming: IncomingPayload;
  classified: ClassifiedPayload;
  events: EventBatch;
  outbound: OutboundMessage;
  'citizen-actions': CitizenAction;
  'workflow-reminders': WorkflowTimerJob;
}

/**
 * Retries with exponential backoff for transient faults; failed jobs are kept (bounded) so an operator can see
 * and retry them; completed ones are trimmed so Redis does not grow forever.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 100_000 },
};

export interface QueueOptions {
  connection: ConnectionOptions;
  prefix: string;
}

export type Queues = {
  incoming: Queue<IncomingPayload>;
  classified: Queue<ClassifiedPayload>;
  events: Queue<EventBatch>;
  outbound: Queue<OutboundMessage>;
  citizenActions: Queue<CitizenAction>;
};

/**
 * The stage queues carry pages of up to MAX_BATCH messages (100–200 KB a job): ten thousand finished ones would keep
 * gigabytes in Redis. They keep the last hour, at most 500; what they did is in PostgreSQL and ClickHouse.
 */
const BATCH_QUEUES: ReadonlySet<QueueName> = new Set(['incoming', 'classified', 'events']);
export const BATCH_JOB_OPTIONS: JobsOptions = { ...DEFAULT_JOB_OPTIONS, removeOnComplete: { age: 3600, count: 500 } };

export function createQueues({ connection, prefix }: QueueOptions): Queues {
  const make = <K extends QueueName>(name: K) =>
    new Queue<QueuePayloads[K]>(name, { connection, prefix, defaultJobOptions: BATCH_QUEUES.has(name) ? BATCH_JOB_OPTIONS : DEFAULT_JOB_OPTIONS });
  return {
    incoming: make('incoming'),
    classified: make('classified'),
    events: make('events'),
    outbound: make('outbound'),
    citizenActions: make('citizen-actions'),
  };
}

/**
 * The workflow's own queue of delayed reminders. Kept out of `Queues`: no other stage touches it, and its jobs
 * legitimately wait for weeks, so "every stage queue is drained" stays a meaningful check.
 */
export function createReminderQueue({ connection, prefix }: QueueOptions): Queue<WorkflowTimerJob> {
  return new Queue<WorkflowTimerJob>(QUEUES.reminders, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

/** Parses a queue payload; throws a ZodError that processors turn into an UnrecoverableError. */
export function parsePayload<K extends QueueName>(name: K, data: unknown): QueuePayloads[K] {
  return payloadSchemas[name].parse(data) as QueuePayloads[K];
}

/** The messages of an `incoming` job already parsed or produced by us, whichever shape it has (no validation). */
export function incomingMessagesOf(payload: IncomingPayload): IncomingMessage[] {
  return 'messages' in payload ? payload.messages : [payload];
}

export interface BatchParse<T> {
  items: T[];
  /** Elements that did not parse, by their index in the job, with the reason. */
  rejected: { index: number; reason: string }[];
}

const issuesText = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/**
 * Parses an `incoming` or `classified` payload into a list, whichever shape it has. A single message that does not
 * parse throws (the job is dead-lettered, as before batches); in a batch each element is checked on its own and the
 * bad ones are returned beside the good ones, so the caller processes what is valid and records the rest.
 */
export function parseBatchPayload(name: 'incoming', data: unknown): BatchParse<IncomingMessage>;
export function parseBatchPayload(name: 'classified', data: unknown): BatchParse<ClassifiedMessage>;
export function parseBatchPayload(name: 'incoming' | 'classified', data: unknown): BatchParse<IncomingMessage | ClassifiedMessage> {
  const [envelope, element] = name === 'incoming'
    ? [incomingBatchEnvelope.safeParse(data), incomingMessageSchema] as const
    : [classifiedBatchEnvelope.safeParse(data), classifiedMessageSchema] as const;
  if (!envelope.success) return { items: [element.parse(data)], rejected: [] };
  const list = 'messages' in envelope.data ? envelope.data.messages : envelope.data.items;
  const out: BatchParse<IncomingMessage | ClassifiedMessage> = { items: [], rejected: [] };
  list.forEach((x, index) => {
    const r = element.safeParse(x);
    if (r.success) out.items.push(r.data);
    else out.rejected.push({ index, reason: issuesText(r.error) });
  });
  return out;
}
