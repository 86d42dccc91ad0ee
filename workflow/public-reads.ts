/**
 * Reads of the workflow's tables that other parts of the system need, handed to them by main.ts as plain
 * functions: the stored messages with their case numbers (ingest's listing), which messages a 122 import already
 * stored, the case a widget submission became (the widget's status check), and the open cases past their deadline
 * (the /metrics gauge). The workflow owns
 * messages and cases; nothing outside it queries them.
 */
import type pg from 'pg';
import type { Attachment, Place, Source } from '../lib/queues.js';
import { OPEN_STATUSES } from './rules.js';

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
  /** The case's number once the message became one. */
  registrationNumber: string | null;
}

/** Stored messages of every channel (or one), newest first. */
export async function listMessages(db: pg.Pool, q: { source?: Source; limit: number; offset: number }): Promise<StoredMessage[]> {
  const r = await db.query<StoredMessage>(
    `select m.id as "messageId", m.source, m.external_id as "externalId", m.author_hash as "authorHash", m.text, m.link,
            m.attachments, m.place, m.provenance, m.received_at as "receivedAt", c.registration_number as "registrationNumber"
       from messages m left join cases c on c.message_id = m.id
      where ($1::text is null or m.source = $1)
      order by m.received_at desc, m.id
      limit $2 offset $3`,
    [q.source ?? null, q.limit, q.offset],
  );
  return r.rows;
}

/** Which of these messages are stored (a re-imported 122 export skips them). */
export async function storedMessageIds(db: pg.Pool, messageIds: string[]): Promise<string[]> {
  const r = await db.query<{ id: string }>('select id from messages where id = any($1::uuid[])', [messageIds]);
  return r.rows.map((row) => row.id);
}

/** The case a widget submission became: its number and status, or null while there is none. */
export async function widgetCase(db: pg.Pool, messageId: string): Promise<{ registrationNumber: string; status: string } | null> {
  const r = await db.query<{ registrationNumber: string; status: string }>(
    `select c.registration_number as "registrationNumber", c.status from cases c join messages m on m.id = c.message_id
      where c.message_id = $1 and m.source = 'widget'`, [messageId]);
  return r.rows[0] ?? null;
}

/** Open cases past their deadline now, fast-track and standard apart. */
export async function overdueCounts(db: pg.Pool): Promise<{ fastTrack: number; standard: number }> {
  const r = await db.query<{ fast_track: boolean; n: string }>(
    'select fast_track, count(*) as n from cases where status = any($1) and deadline_at < now() group by fast_track', [OPEN_STATUSES]);
  const count = (fastTrack: boolean) => Number(r.rows.find((row) => row.fast_track === fastTrack)?.n ?? 0);
  return { fastTrack: count(true), standard: count(false) };
}
