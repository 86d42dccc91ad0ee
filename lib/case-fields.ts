/**
 * A case's fields as the JSON answers carry them (timestamps as ISO strings): one description for the workflow's case
 * API (workflow/routes/responses.ts) and the dashboard's inbox rows (moderation.ts), which serve the same rows.
 */
import { z } from 'zod';
import { CASE_STATUSES, SOURCES } from './queues.js';

export const timestamp = z.iso.datetime({ offset: true });

/** The channel's id of the message, or its link: withheld (null) from readers who do not work on the case. */
const channelRef = z.string().nullable().describe("null for readers who do not work on the case: it can carry the person's VK peer id or Telegram chat id");

export const caseFields = {
  id: z.uuid(),
  registrationNumber: z.string(),
  status: z.enum(CASE_STATUSES),
  version: z.number().int(),
  category: z.string(),
  confidence: z.number(),
  kind: z.string(),
  fastTrack: z.boolean(),
  deadlineDays: z.number().int(),
  deadlineRule: z.string(),
  municipality: z.string().nullable(),
  organizationId: z.uuid().nullable(),
  organizationName: z.string().nullable(),
  executorId: z.uuid().nullable(),
  registeredAt: timestamp,
  deadlineAt: timestamp,
  rating: z.number().int().nullable(),
  source: z.enum(SOURCES),
  externalId: channelRef,
  text: z.string(),
  link: channelRef,
  receivedAt: timestamp,
  daysLeft: z.number().int().describe('Days to the deadline, negative once past'),
  overdue: z.boolean().describe('Past the deadline while still open'),
};
