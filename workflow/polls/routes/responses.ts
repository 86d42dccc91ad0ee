/** What the polls routes answer, as zod schemas for the OpenAPI document (lib/openapi.ts). */
import { z } from 'zod';
import { POLL_STATUSES, QUESTION_KINDS, VOTE_CHANNELS } from '../model.js';

const timestamp = z.iso.datetime({ offset: true });
const count = z.number().int();

export const okAnswer = z.object({ ok: z.literal(true) });
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), limit: count, offset: count });
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

const question = z.object({
  id: z.uuid(),
  kind: z.enum(QUESTION_KINDS),
  text: z.string(),
  required: z.boolean(),
  scaleMin: count,
  scaleMax: count,
  maxChoices: count.nullable(),
  options: z.array(z.object({ id: z.uuid(), text: z.string() })),
});

const pollFields = {
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  status: z.enum(POLL_STATUSES),
  municipalities: z.array(z.string()),
  minAge: count.nullable(),
  opensAt: timestamp.nullable(),
  closesAt: timestamp.nullable(),
  liveResults: z.boolean(),
};

/** A poll as staff see it: with its version for status changes. */
export const poll = z.object({ ...pollFields, version: count, questions: z.array(question) });
/** A poll as citizens see it: no counts, no staff fields. */
export const publicPoll = z.object({ ...pollFields, questions: z.array(question) });
export const publicPollItem = z.object({ ...pollFields, version: count });
export const staffPollItem = publicPollItem.extend({ votes: count.describe('Accepted votes') });

export const totals = z.object({ accepted: count, quarantined: count });
export const countedRow = z.object({ question: z.uuid(), option: z.string().describe('Option id, or the scale value'), votes: count });

export const vote = z.object({
  id: z.uuid(),
  channel: z.enum(VOTE_CHANNELS),
  municipality: z.string(),
  network: z.string().describe("The voter network's hash prefix"),
  status: z.enum(['accepted', 'quarantined']),
  castAt: timestamp,
});
export const burst = z.object({
  kind: z.enum(['network', 'new_accounts']),
  key: z.string().describe("The network's hash prefix; empty for new accounts"),
  windowStart: timestamp,
  votes: count,
  quarantined: count,
  voteIds: z.array(z.uuid()).describe('At most 1000'),
});
export const voteStateChange = z.object({ changed: z.array(z.uuid()), unchanged: z.array(z.uuid()) });
export const auditEntry = z.object({
  id: z.string().regex(/^\d+$/),
  voteId: z.uuid(),
  action: z.enum(['quarantine', 'release']),
  reason: z.string(),
  at: timestamp,
  actor: z.string(),
});
export const textAnswer = z.object({ voteId: z.uuid(), questionId: z.uuid(), text: z.string(), moderation: z.enum(['pending', 'approved', 'rejected']) });

const commentFields = {
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  authorKind: z.enum(['citizen', 'official']),
  authorName: z.string(),
  text: z.string(),
  createdAt: timestamp,
};
export const publicComment = z.object(commentFields);
export const staffComment = z.object({ ...commentFields, status: z.enum(['pending', 'published', 'rejected']) });
