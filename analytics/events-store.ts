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
  actor: string;
  props: Record<string, string>;
}

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
    actor: e.actor ?? '',
    props: Object.fromEntries(Object.entries(e.props).map(([k, v]) => [k, String(v)])),
  };
}

export function insertEvents(ch: ClickHouseClient, table = 'events') {
  return async (rows: EventRow[], token: string) => {
    await ch.insert({
      table,
      values: rows,
      format: 'JSONEachRow',
      // A retried batch carries the same token, so ClickHouse drops the repeat instead of counting it twice.
      clickhouse_settings: { insert_deduplication_token: token, insert_deduplicate: 1 },
    });
  };
}
