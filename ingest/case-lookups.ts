/**
 * What ingest asks of the stage that owns messages and cases (the workflow): main.ts hands the functions in, so
 * ingest reads none of its tables.
 */
import { z } from 'zod';
import type { AuthUser } from '../lib/auth-user.js';
import { attachmentSchema, placeSchema, sourceSchema, type Source } from '../lib/queues.js';
import type { FiguresScopeOf } from '../lib/read-scope.js';

const WITHHELD = 'null for readers who do not work on the case: it can carry the VK peer id or Telegram chat id of the person';

/** A stored message as the staff listing shows it (the schema documents the listing's answer). */
export const storedMessageSchema = z.object({
  messageId: z.uuid(),
  source: sourceSchema,
  externalId: z.string().nullable().describe(`The channel's id of the message; ${WITHHELD}`),
  authorHash: z.string(),
  text: z.string(),
  link: z.string().nullable().describe(`The message on its network; ${WITHHELD}`),
  attachments: z.array(attachmentSchema),
  place: placeSchema,
  provenance: z.record(z.string(), z.unknown())
    .describe('Where the message came from; for readers who do not work on the case only the keys describing the channel (no peer, chat or owner ids)'),
  receivedAt: z.iso.datetime({ offset: true }),
  registrationNumber: z.string().nullable().describe('The number of the case the message became, once it did'),
  origin: z.enum(['appeal', 'signal']).describe(
    'appeal: sent to the region (answered on its channel); signal: found by monitoring (never answered automatically)',
  ),
  kind: z.enum(['complaint', 'question', 'other']).nullable().describe('What the detector (or the team) says the message is'),
  incidentId: z.string().nullable().describe('The incident the message belongs to'),
  caseId: z.string().nullable().describe("The case: an appeal's own, or a signal's once the team accepted its incident (null until then)"),
  reactionDueAt: z.iso.datetime({ offset: true }).nullable().describe("A signal's reaction deadline; null for appeals and for `other`"),
  signalStatus: z.enum(['new', 'accepted', 'rejected', 'answered']).nullable(),
  joinedAfterAnswer: z.boolean().nullable().describe('A signal that joined its incident after the answer was published'),
});
export type StoredMessage = Omit<z.infer<typeof storedMessageSchema>, 'receivedAt' | 'reactionDueAt' | 'kind'> & {
  receivedAt: Date | string;
  reactionDueAt: Date | string | null;
  kind: string | null;
};

export interface CaseLookups {
  /**
   * Stored messages of every channel (or one), newest first, with their case numbers: those this official may read,
   * each as they may see it (the workflow decides both).
   */
  listMessages(user: AuthUser, q: { source?: Source; limit: number; offset: number }): Promise<StoredMessage[]>;
  /** The figures this official may read: channel counters are region-wide figures. */
  figuresScope: FiguresScopeOf;
  /** The case a widget submission became: its number and status, or null while there is none. */
  widgetCase(messageId: string): Promise<{ registrationNumber: string; status: string } | null>;
}
