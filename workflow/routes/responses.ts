/**
 * What the workflow's routes answer, as zod schemas for the OpenAPI document (lib/openapi.ts). They describe the
 * store's rows as JSON carries them: timestamps as ISO strings, bigserial ids as decimal strings.
 */
import { z } from 'zod';
import { caseFields, timestamp } from '../../lib/case-fields.js';
import { attachmentSchema, DELIVERY_CHANNELS, placeSchema } from '../../lib/queues.js';
import { ACTIONS, USER_ROLES } from '../rules.js';
import { ORG_KINDS } from '../store/organizations.js';
import { caseDeliverySchema } from '../../lib/deliveries.js';

export { timestamp };
/** A bigserial id: node-postgres hands 64-bit integers over as strings. */
export const serialId = z.string().regex(/^\d+$/).describe('A 64-bit integer id, as a decimal string');

export const okAnswer = z.object({ ok: z.literal(true) });

/** A page of items with the limit and offset it was asked for. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), limit: z.number().int(), offset: z.number().int() });

export const roleEntry = z.object({ role: z.enum(USER_ROLES), organizationId: z.uuid().nullable().describe('null: region-wide') });

export const organization = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  name: z.string(),
  kind: z.enum(ORG_KINDS),
  ogrn: z.string().nullable(),
  inn: z.string().nullable(),
  site: z.string().nullable(),
  code: z.string().nullable().describe('The routing code (PUT /api/v1/organizations/:id/code)'),
  trainingConfirmed: z.boolean(),
  readyConfirmed: z.boolean(),
  createdAt: timestamp,
});

export const user = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string().describe('ФИО'),
  position: z.string().nullable().describe('Должность'),
  phone: z.string().nullable().describe('Mobile phone (personal data)'),
  email: z.string().nullable().describe('Work e-mail (personal data)'),
  active: z.boolean(),
  activated: z.boolean().describe('False until an invited user set their password'),
  createdAt: timestamp,
  roles: z.array(roleEntry),
});

export const invitation = z.object({
  url: z.string().describe('The one-time link /invite/<token>; shown once, only its hash is stored'),
  expiresAt: timestamp,
  emailed: z.boolean().describe("Sent to the card's e-mail; otherwise pass the link on yourself"),
});

export const me = z.object({
  user: z.object({ id: z.uuid(), login: z.string(), displayName: z.string() }),
  roles: z.array(roleEntry),
  organizations: z.array(z.object({ id: z.uuid(), name: z.string(), trainingConfirmed: z.boolean(), readyConfirmed: z.boolean() })),
  confirmationRequired: z.boolean().describe('Show the «Требуется подтверждение» dialog: an organization of the user lacks a readiness flag'),
  confirmationOrganizations: z.array(z.uuid()),
  unreadNotifications: z.number().int(),
});

export const notification = z.object({
  id: serialId,
  caseId: z.uuid().nullable(),
  registrationNumber: z.string().nullable(),
  kind: z.string(),
  topic: z.string().nullable().describe(
    'The alert topic (routed, assigned, approval, returned, deadline, overdue, repeat_review, escalation); null: in the app only',
  ),
  text: z.string(),
  createdAt: timestamp,
  readAt: timestamp.nullable(),
  url: z.string().nullable().describe('Where the notice leads in the desk: the case page'),
});

export const lintWarning = z.object({ code: z.string(), message: z.string() });

export const caseListItem = z.object({
  ...caseFields,
  modelVersion: z.string(),
  incidentId: z.string().nullable(),
  origin: z.enum(['appeal', 'signal']).describe('signal: made from an incident the monitoring team accepted (terms in hours, answered on its threads)'),
});

const historyEntry = z.object({
  id: serialId,
  at: timestamp,
  actor: z.string(),
  actorName: z.string().nullable(),
  type: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  comment: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
const answer = z.object({
  id: serialId,
  text: z.string(),
  attachments: z.array(attachmentSchema),
  lint: z.array(lintWarning),
  authorId: z.uuid(),
  authorName: z.string(),
  createdAt: timestamp,
});
const suggestion = z.object({
  organization: z.string(),
  score: z.number(),
  organizationId: z.uuid().nullable(),
  organizationName: z.string().nullable(),
  ready: z.boolean().describe('Trained, ready, with an active coordinator and an active leader: automatic routing may send cases there'),
});

export const caseDetail = z.object({
  ...caseFields,
  messageId: z.uuid(),
  reviewCycle: z.number().int(),
  origin: z.enum(['appeal', 'signal']).optional(),
  federalService: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  answeredAt: timestamp.nullable(),
  closedAt: timestamp.nullable(),
  place: placeSchema,
  attachments: z.array(attachmentSchema),
  contact: z.object({ phone: z.string().nullable(), email: z.string().nullable(), channelUserId: z.string().nullable() }).optional()
    .describe('Personal data: only for those who work on the case'),
  history: z.array(historyEntry),
  answers: z.array(answer),
  reminders: z.array(z.object({ kind: z.string(), dueAt: timestamp, sentAt: timestamp.nullable() })),
  availableActions: z.array(z.enum(ACTIONS)),
  citizenChannel: z.enum(DELIVERY_CHANNELS).nullable()
    .describe("Where the citizen's notices go (the case's network, or e-mail/SMS to the contact left); null: they left no way back and get none"),
  deliveries: z.array(caseDeliverySchema).describe('What left for the citizen and what became of it (empty where this process cannot read deliveries)'),
  routingSuggestions: z.array(suggestion),
  routing: z.object({
    tableVersion: z.number().int().nullable(),
    source: z.string(),
    reason: z.string().nullable(),
    automatic: z.boolean(),
    autoRouteRedirectedAt: timestamp.nullable(),
  }).nullable(),
});

export const actionResult = z.object(caseFields).pick({ id: true, status: true, version: true, organizationId: true, executorId: true, deadlineAt: true })
  .extend({
    warnings: z.array(lintWarning).optional().describe('Answer-quality warnings of the answer this action saved or sent'),
  });
