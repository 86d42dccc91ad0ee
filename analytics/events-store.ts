import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { AnalyticsEvent } from '../lib/queues.js';

/** A ClickHouse row of the `events` table; optional dimensions become empty strings and zeros at this edge. */
export interface EventRow {
  event_id: string;
  type: string;
  at: string;
  message_id?: string;
  case_id?: string;
  source: string;
  category: string;
  municipality: string;
  organization_id: string;
  status: string;
  from_status: string;
  fast_track: number;
  kind: string;
  confidence: number;
  model_version: string;
  author_hash: string;
  deadline_at: string | null;
  rating: number;
  incident_id: string;
  reason: string;
  poll_id: string;
  question_id: string;
  option_id: string;
  actor: string;
  props: Record<string, string>;
}

const prop = (e: AnalyticsEvent, key: string) => (e.props[key] === undefined ? '' : String(e.props[key]).slice(0, 200));

export function toEventRow(e: AnalyticsEvent): EventRow {
  return {
    event_id: e.eventId,
    type: e.type,
    at: e.at,
    ...(e.messageId ? { message_id: e.messageId } : {}),
    ...(e.caseId ? { case_id: e.caseId } : {}),
    source: e.source ?? '',
    category: e.category ?? '',
    municipality: e.municipality ?? '',
    organization_id: e.organizationId ?? '',
    status: e.status ?? '',
    from_status: e.fromStatus ?? '',
    fast_track: e.fastTrack ? 1 : 0,
    kind: e.kind ?? '',
    confidence: e.confidence ?? 0,
    model_version: e.modelVersion ?? '',
    author_hash: e.authorHash ?? '',
    deadline_at: e.deadlineAt ?? null,
    rating: e.rating ?? 0,
    incident_id: e.incidentId ?? '',
    // Panels filter and group on these, so they get real columns instead of map lookups over millions of rows.
    reason: prop(e, 'reason'),
    poll_id: prop(e, 'pollId'),
    question_id: prop(e, 'questionId'),
    option_id: prop(e, 'optionId'),
    actor: e.actor ?? '',
    props: Object.fromEntries(Object.entries(e.props).map(([k, v]) => [k, String(v)])),
  };
}

/** Ids among `ids` that ClickHouse already holds (a primary-key read of event_ids). */
export async function storedEventIds(ch: ClickHouseClient, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rs = await ch.query({
    query: 'SELECT DISTINCT toString(event_id) AS id FROM event_ids WHERE event_id IN {ids:Array(UUID)}',
    query_params: { ids },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ id: string }>()).map((r) => r.id));
}

/**
 * The batcher's insert: deduplicates at ingest so every row in ClickHouse, and every rollup fed from it, counts an
 * event once. Events already stored (re-emitted by a stage, or written by an attempt whose answer was lost) are
 * skipped; the rest go in one insert whose deduplication token covers exactly them, so if ClickHouse stored the
 * block but the id index was not updated, the repeat is still dropped.
 */
export function insertEvents(ch: ClickHouseClient, table = 'events') {
  return async (rows: EventRow[], token: string): Promise<{ inserted: number; duplicates: number }> => {
    const unique = new Map<string, EventRow>();
    for (const r of rows) if (!unique.has(r.event_id)) unique.set(r.event_id, r);
    const stored = await storedEventIds(ch, [...unique.keys()]);
    const fresh = [...unique.values()].filter((r) => !stored.has(r.event_id));
    if (fresh.length > 0) {
      const freshToken = createHash('sha256').update(token).update(fresh.map((r) => r.event_id).join('\n')).digest('hex');
      await ch.insert({
        table,
        values: fresh,
        format: 'JSONEachRow',
        // On a cluster the Distributed insert must reach the shards before the job is acknowledged.
        clickhouse_settings: { insert_deduplication_token: freshToken, insert_deduplicate: 1, distributed_foreground_insert: 1 },
      });
    }
    return { inserted: fresh.length, duplicates: rows.length - fresh.length };
  };
}

/**
 * Whether ClickHouse can take events: it answers and the events table is there (a server being restored or a table
 * being re-attached answers the ping but refuses inserts).
 */
export async function eventsTableAvailable(ch: ClickHouseClient, table = 'events'): Promise<boolean> {
  if (!(await ch.ping()).success) return false;
  const rs = await ch.query({ query: 'EXISTS TABLE {table:Identifier}', query_params: { table }, format: 'JSONEachRow' });
  const rows = await rs.json<{ result: number | string }>();
  return Number(rows[0]?.result) === 1;
}
