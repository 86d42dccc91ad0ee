/**
 * Publishing one reply of an incident to its threads: one outbound message per thread the region may write in
 * (threads.ts), each recorded in `incident_replies` with the id its delivery is tracked and retried under in the
 * outbound queue. Threads elsewhere are returned for the operator to answer by hand. Only a person's action leads
 * here: the team's interim reply or answer, or a leader's approval of the incident's case.
 */
import { uuidV5 } from '../../lib/ids.js';
import type { DeliveryChannel, OutboundMessage } from '../../lib/queues.js';
import { enqueue, type OutboxRow } from '../outbox.js';
import { insertReplies, repliesOf, type ReplyRow } from '../store/incidents.js';
import { signalsOf, type SignalRow } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { threadsOf, type Thread } from './threads.js';

export type ReplyKind = 'interim' | 'answer';

export const DEFAULT_INTERIM_TEXT = 'Здравствуйте! Ваше сообщение взято в работу. Ответ будет опубликован здесь.';

export interface Published {
  /** Threads a reply was queued to now. */
  queued: string[];
  /** Threads that already had a reply of this kind. */
  already: string[];
  /** Threads the region does not write in: the operator answers there by hand. */
  byHand: { key: string; link: string | null }[];
  /** The incident's signals at the time. */
  signals: SignalRow[];
}

const outboundIdOf = (incidentId: string, threadKey: string, kind: ReplyKind) => uuidV5(`incident-reply:${incidentId}:${threadKey}:${kind}`);

function outboundRow(incident: { id: string; caseId: string | null }, t: Thread, kind: ReplyKind, text: string): OutboxRow {
  const outboundId = outboundIdOf(incident.id, t.key, kind);
  const payload: OutboundMessage = {
    outboundId,
    ...(incident.caseId ? { caseId: incident.caseId } : {}),
    messageId: t.first.messageId,
    incidentId: incident.id,
    source: t.first.source,
    channel: t.first.source as DeliveryChannel,
    kind,
    text,
    target: t.target!,
    audience: 'public',
  };
  return { queue: 'outbound', name: `incident-${kind}`, jobId: `outbound-${outboundId}`, payload };
}

/** Queues the reply to every thread of the incident the region may write in that has none of this kind yet. */
export async function publishReplies(sql: Sql, incident: { id: string; caseId: string | null }, kind: ReplyKind, text: string, actor: string,
  now: Date): Promise<Published>
{
  const signals = await signalsOf(sql, incident.id);
  const threads = threadsOf(signals);
  const done = new Set((await repliesOf(sql, incident.id)).filter((r) => r.kind === kind).map((r) => r.threadKey));
  const fresh = threads.filter((t) => t.own && !done.has(t.key));
  const rows: ReplyRow[] = fresh.map((t) => ({ outboundId: outboundIdOf(incident.id, t.key, kind), incidentId: incident.id, threadKey: t.key,
    messageId: t.first.messageId, kind, channel: t.first.source, text, actor, createdAt: now })
  );
  const recorded = await insertReplies(sql, rows);
  const queued = fresh.filter((t) => recorded.has(outboundIdOf(incident.id, t.key, kind)));
  await enqueue(sql, queued.map((t) => outboundRow(incident, t, kind, text)));
  return {
    queued: queued.map((t) => t.key),
    already: threads.filter((t) => t.own && !queued.includes(t)).map((t) => t.key),
    byHand: threads.filter((t) => !t.own).map((t) => ({ key: t.key, link: t.link })),
    signals,
  };
}
