/**
 * `messages` and `contacts`: what citizens wrote, and how to reach them kept apart (personal data). Written once, at
 * registration, set-based over a whole batch; read by ingest's staff listing and the 122 import through
 * workflow/public-reads.ts.
 */
import type { Attachment, IncomingMessage, Place, Source } from '../../lib/queues.js';
import type { Page, Sql } from './sql.js';

/** Inserts the messages not stored yet; returns the ids of those it inserted. */
export async function insertMessages(sql: Sql, ms: IncomingMessage[]): Promise<Set<string>> {
  const inserted = await sql.query<{ id: string }>(
    `insert into messages (id, source, external_id, received_at, text, author_hash, place, link, attachments, provenance, raw)
     select id, source, external_id, received_at, text, author_hash, place::jsonb, link, attachments::jsonb, provenance::jsonb, raw::jsonb
       from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[])
         as t(id, source, external_id, received_at, text, author_hash, place, link, attachments, provenance, raw)
     on conflict do nothing returning id`,
    [ms.map((m) => m.messageId), ms.map((m) => m.source), ms.map((m) => m.externalId), ms.map((m) => m.receivedAt), ms.map((m) => m.text),
      ms.map((m) => m.authorHash), ms.map((m) => JSON.stringify(m.place)), ms.map((m) => m.link ?? null), ms.map((m) => JSON.stringify(m.attachments)),
      ms.map((m) => JSON.stringify(m.provenance)), ms.map((m) => JSON.stringify(m.raw ?? null))],
  );
  return new Set(inserted.rows.map((r) => r.id));
}

/** The contacts of the messages that left any. */
export async function insertContacts(sql: Sql, ms: IncomingMessage[]): Promise<void> {
  const withContact = ms.filter((m) => m.contact.name || m.contact.phone || m.contact.email || m.contact.channelUserId);
  if (withContact.length === 0) return;
  await sql.query(
    `insert into contacts (message_id, name, phone, email, channel_user_id)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [withContact.map((m) => m.messageId), withContact.map((m) => m.contact.name ?? null), withContact.map((m) => m.contact.phone ?? null),
      withContact.map((m) => m.contact.email ?? null), withContact.map((m) => m.contact.channelUserId ?? null)],
  );
}

export interface StoredMessage {
  messageId: string;
  source: Source;
  externalId: string;
  authorHash: string;
  text: string;
  link: string | null;
  attachments: Attachment[];
  place: Place;
  provenance: Record<string, unknown>;
  receivedAt: Date;
  /** The case's number once the message became one (for a signal: once its incident was accepted). */
  registrationNumber: string | null;
  /** `appeal` (sent to the region) or `signal` (found by monitoring). */
  origin: 'appeal' | 'signal';
  /** complaint / question / other, once classified. */
  kind: string | null;
  incidentId: string | null;
  caseId: string | null;
  /** When the team must first react to a signal (null for appeals and for `other`). */
  reactionDueAt: Date | null;
  /** A signal's state: new, accepted, rejected, answered. */
  signalStatus: 'new' | 'accepted' | 'rejected' | 'answered' | null;
  joinedAfterAnswer: boolean | null;
}

/** A stored message with who works on its case, so the reader's view of it can be decided (workflow/message-listing.ts). */
export type ScopedMessage = StoredMessage & { caseOrganizationId: string | null; caseExecutorId: string | null };

/**
 * Stored messages of every channel (or one), newest first, with the number of the case each became: every message,
 * or (`readsAll` false) only those whose case belongs to these organizations or is assigned to this user.
 */
export async function listStoredMessages(sql: Sql,
  q: Page & { source?: Source; readsAll: boolean; organizationIds: string[]; userId: string }): Promise<ScopedMessage[]>
{
  const r = await sql.query<ScopedMessage>(
    `select m.id as "messageId", m.source, m.external_id as "externalId", m.author_hash as "authorHash", m.text, m.link,
            m.attachments, m.place, m.provenance, m.received_at as "receivedAt",
            coalesce(c.registration_number, ic.registration_number) as "registrationNumber",
            case when s.message_id is null then 'appeal' else 'signal' end as origin, coalesce(s.kind, c.kind) as kind,
            coalesce(s.incident_id, c.incident_id) as "incidentId", coalesce(c.id, ic.id) as "caseId", s.reaction_due_at as "reactionDueAt",
            s.status as "signalStatus", s.joined_after_answer as "joinedAfterAnswer",
            coalesce(c.organization_id, ic.organization_id) as "caseOrganizationId", coalesce(c.executor_id, ic.executor_id) as "caseExecutorId"
       from messages m left join cases c on c.message_id = m.id
       left join signals s on s.message_id = m.id left join incidents i on i.id = s.incident_id left join cases ic on ic.id = i.case_id
      where ($1::text is null or m.source = $1)
        -- A signal belongs to the case of its incident once the team accepted it.
        and ($4::boolean or coalesce(c.organization_id, ic.organization_id) = any($5::uuid[]) or coalesce(c.executor_id, ic.executor_id) = $6::uuid)
      order by m.received_at desc, m.id
      limit $2 offset $3`,
    [q.source ?? null, q.limit, q.offset, q.readsAll, q.organizationIds, q.userId],
  );
  return r.rows;
}

/** Which of these messages are stored (a re-imported 122 export skips them). */
export async function storedMessageIds(sql: Sql, messageIds: string[]): Promise<string[]> {
  const r = await sql.query<{ id: string }>('select id from messages where id = any($1::uuid[])', [messageIds]);
  return r.rows.map((row) => row.id);
}
