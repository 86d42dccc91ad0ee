/**
 * The staff listing of stored messages (`GET /api/v1/messages`, served by ingest, decided here): whose messages a
 * reader sees is the case list's scope (read-scopes.ts), and what of each message depends on whether the reader
 * works on its case (rules.ts `handlesCase`). Those who read a case without handling it (a region administrator, the
 * curator of a parent organization) get its text and place but nothing that reaches the person: provenance keeps
 * only what describes the channel, and a network's external id and link (which carry a VK peer id or a Telegram
 * chat id for private conversations) are withheld. The raw payload is never listed.
 */
import type pg from 'pg';
import type { AuthUser } from '../lib/auth-user.js';
import type { NetworkSource, Source } from '../lib/queues.js';
import { caseScopeOf, withSubtree } from './read-scopes.js';
import { handlesCase, type Actor } from './rules.js';
import { listStoredMessages, type ScopedMessage, type StoredMessage } from './store/messages.js';

/** Provenance keys that describe the channel rather than the person (site, community, search keyword). */
const DESCRIPTIVE_PROVENANCE = new Set(['channel', 'via', 'groupId', 'topicId', 'keyword', 'site', 'region', 'org', 'category']);
/**
 * The ids of the 122 center and the widget are assigned by them or by Otklik (a call id, a submission's key) and
 * their messages have no link: they name no one. A network's id and link can (VK `msg<peer id>_…`, Telegram
 * `<chat id>:…`), and so can those of any source added later that is not known to be neutral.
 */
const NEUTRAL_ID_SOURCES: ReadonlySet<string> = new Set(['contact_center', 'widget'] satisfies Exclude<Source, NetworkSource>[]);

/**
 * A message's external id and link as this reader may see them: withheld (null) when they could reach the person
 * and the reader does not work on the case. The case routes answer them the same way.
 */
export function channelRefsFor(handles: boolean,
  m: { source: string; externalId: string; link: string | null }): { externalId: string | null; link: string | null }
{
  return handles || NEUTRAL_ID_SOURCES.has(m.source) ? { externalId: m.externalId, link: m.link } : { externalId: null, link: null };
}

export type ListedMessage = Omit<StoredMessage, 'externalId' | 'link'> & { externalId: string | null; link: string | null };

/** One message as this reader may see it; messages without a case are the monitoring team's. */
export function messageForReader(actor: Actor, m: ScopedMessage): ListedMessage {
  const { caseOrganizationId, caseExecutorId, ...message } = m;
  if (handlesCase(actor, { organizationId: caseOrganizationId, executorId: caseExecutorId })) return message;
  const provenance = Object.fromEntries(Object.entries(message.provenance).filter(([k]) => DESCRIPTIVE_PROVENANCE.has(k)));
  return { ...message, ...channelRefsFor(false, message), provenance };
}

export async function listMessagesFor(db: pg.Pool, user: AuthUser, q: { source?: Source; limit: number; offset: number }): Promise<ListedMessage[]> {
  const actor = await withSubtree(db, user);
  const rows = await listStoredMessages(db, { ...q, ...caseScopeOf(actor) });
  return rows.map((m) => messageForReader(actor, m));
}
