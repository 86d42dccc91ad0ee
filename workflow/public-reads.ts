/**
 * Reads of the workflow's tables that other parts of the system need, bound to a database for main.ts to hand out
 * as plain functions: the stored messages with their case numbers, scoped to the reader (ingest's listing), the
 * figures each official may read (analytics and the dashboard), which messages a 122 import
 * already stored, the case a widget submission became (the widget's status check), the organizations' names (the
 * dashboard's chart labels and reports), and the open cases past their deadline (the /metrics gauge). The SQL is the store modules'; the workflow owns messages and cases, and nothing
 * outside it queries them.
 */
import type pg from 'pg';
import type { AuthUser } from '../lib/auth-user.js';
import type { Source } from '../lib/queues.js';
import type { FiguresScope } from '../lib/read-scope.js';
import { listMessagesFor, type ListedMessage } from './message-listing.js';
import { figuresScope } from './read-scopes.js';
import { OPEN_STATUSES } from './rules.js';
import { overdueCounts, widgetCase } from './store/cases.js';
import { storedMessageIds } from './store/messages.js';
import { organizationNames } from './store/organizations.js';

export type { ListedMessage } from './message-listing.js';

export interface PublicReads {
  /** The messages this official may read, each as they may see it (workflow/message-listing.ts). */
  listMessages(user: AuthUser, q: { source?: Source; limit: number; offset: number }): Promise<ListedMessage[]>;
  /** The figures this official may read (analytics, exports, pages, channel counters). */
  figuresScope(user: AuthUser): Promise<FiguresScope>;
  storedMessageIds(messageIds: string[]): Promise<string[]>;
  widgetCase(messageId: string): Promise<{ registrationNumber: string; status: string } | null>;
  /** Organization ids to names. */
  organizationNames(): Promise<Record<string, string>>;
  /** Open cases past their deadline now, fast-track and standard apart. */
  overdueCounts(): Promise<{ fastTrack: number; standard: number }>;
}

export function bindPublicReads(db: pg.Pool): PublicReads {
  return {
    listMessages: (user, q) => listMessagesFor(db, user, q),
    figuresScope: (user) => figuresScope(db, user),
    storedMessageIds: (ids) => storedMessageIds(db, ids),
    widgetCase: (messageId) => widgetCase(db, messageId),
    organizationNames: () => organizationNames(db),
    async overdueCounts() {
      const rows = await overdueCounts(db, OPEN_STATUSES);
      const count = (fastTrack: boolean) => rows.find((r) => r.fastTrack === fastTrack)?.count ?? 0;
      return { fastTrack: count(true), standard: count(false) };
    },
  };
}
