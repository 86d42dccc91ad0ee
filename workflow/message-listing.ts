/**
 * The staff listing of stored messages (`GET /api/v1/messages`, served by ingest, decided here): whose messages a
 * reader sees is the case list's scope (read-scopes.ts), and what of each message depends on whether the reader
 * works on its case (rules.ts `handlesCase`). Those who read a case without handling it (a region administrator, the
 * curator of a parent organization) get its text and place but nothing that reaches the person: provenance keeps
 * only what describes the channel, and the external id and link (which carry a VK peer id or a Telegram chat id
 * for private conversations) are withheld. The raw payload is never listed.
 */
import type pg from 'pg';
import type { AuthUser } from '../lib/auth-user.js';
import type { Source } from '../lib/queues.js';
import { caseScopeOf, withSubtree } from './read-scopes.js';
import { handlesCase, type Actor } from './rules.js';
import { listStoredMessages, type ScopedMessage, type StoredMessage } from './store/messages.js';

/** Provenance keys that describe the channel rather than the person (site, community, search keyword). */
const DESCRIPTIVE_PROVENANCE = new Set(['channel', 'via', 'groupId', 'topicId', 'keyword', 'site', 'region', 'org', 'category']);

export type ListedMessage = Omit<StoredMessage, 'externalId' | 'link'> & { externalId: string | null; link: string | null };

/** One message as this reader may see it; messages without a case are the monitoring team's. */
export function messageForReader(actor: Actor, m: ScopedMessage): ListedMessage {
  const { caseOrganizationId, caseExecutorId, ...message } = m;
  if (handlesCase(actor, { organizationId: caseOrganizationId, executorId: caseExecutorId })) return message;
  const provenance = Object.fromEntries(Object.entries(message.provenance).filter(([k]) => DESCRIPTIVE_PROVENANCE.has(k)));
  return { ...message, externalId: null, link: null, provenance };
}

export async function listMessagesFor(db: pg.Pool, user: AuthUser, q: { source?: Source; limit: number; offset: number }): Promise<ListedMessage[]> {
  const actor = await withSubtree(db, user);
  const rows = await listStoredMessages(db, { ...q, ...caseScopeOf(actor) });
  return rows.map((m) => messageForReader(actor, m));
}
