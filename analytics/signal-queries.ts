/**
 * Monitoring in hours: how fast the team reacts to signals (posts and comments the monitoring found) and answers
 * them, from the `signal.*` events (one of each kind per message, no personal data). Signals of the range are those
 * received in it; `other` (no term) and rejected ones are left out of the terms.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Filters, Row } from './queries.js';

export const SIGNAL_GROUPS = ['municipality', 'organization', 'source'] as const;
export type SignalGroup = (typeof SIGNAL_GROUPS)[number];

const GROUP_COLUMN: Record<SignalGroup, string> = { municipality: 'municipality', organization: 'org', source: 'source' };

/** The received signals of the range under the filters (organization filters on the answer's organization below). */
const receivedWhere = (f: Filters) => [
  "type = 'signal.received'", 'at >= {from:DateTime64(3)}', 'at < {to:DateTime64(3)}',
  ...(['source', 'category', 'municipality'] as const).filter((d) => f[d]).map((d) => `${d} = {${d}:String}`),
].join(' AND ');

/**
 * Per group: signals with a term, first reactions (the interim «взято в работу» or the answer) in time, overdue now
 * (none yet and past the term at `now`), the share in time of those decided, and the median and 90th percentile hours
 * to the first reaction and to the answer.
 */
export async function signalReaction(ch: ClickHouseClient, f: Filters, opts: { groupBy: SignalGroup; now: Date }): Promise<Row[]> {
  const group = GROUP_COLUMN[opts.groupBy];
  if (!group) throw new Error(`unknown signal grouping ${opts.groupBy}`);
  const rs = await ch.query({
    query: `
      SELECT ${group} AS grp, count() AS signals,
             countIf(reactions > 0) AS reacted,
             countIf(reactions > 0 AND reacted_at <= due) AS reacted_on_time,
             countIf(reactions = 0 AND due < {now:DateTime64(3)}) AS overdue_now,
             countIf(answers > 0) AS answered,
             quantilesExactInclusiveIf(0.5, 0.9)(dateDiff('second', received_at, reacted_at), reactions > 0) AS qr,
             quantilesExactInclusiveIf(0.5, 0.9)(dateDiff('second', received_at, answered_at), answers > 0) AS qa
      FROM (
        SELECT message_id,
               minIf(at, type = 'signal.received') AS received_at,
               assumeNotNull(maxIf(deadline_at, type = 'signal.received')) AS due,
               countIf(type = 'signal.received' AND deadline_at IS NOT NULL) AS with_term,
               anyIf(toString(source), type = 'signal.received') AS source,
               anyIf(toString(municipality), type = 'signal.received') AS municipality,
               countIf(type = 'signal.reacted') AS reactions, minIf(at, type = 'signal.reacted') AS reacted_at,
               countIf(type = 'signal.answered') AS answers, minIf(at, type = 'signal.answered') AS answered_at,
               countIf(type = 'signal.rejected') AS rejections,
               anyIf(toString(organization_id), type = 'signal.answered' AND organization_id != '') AS org
        FROM events
        WHERE type IN ('signal.received', 'signal.reacted', 'signal.answered', 'signal.rejected')
          AND message_id IN (SELECT message_id FROM events WHERE ${receivedWhere(f)})
        GROUP BY message_id)
      WHERE with_term > 0 AND rejections = 0 ${f.organization ? 'AND org = {organization:String}' : ''}
      GROUP BY grp
      ORDER BY signals DESC, grp`,
    query_params: { from: f.from, to: f.to, source: f.source ?? '', category: f.category ?? '', municipality: f.municipality ?? '',
      organization: f.organization ?? '', now: opts.now.toISOString().replace('T', ' ').replace('Z', '') },
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const hours = (s: number) => Math.round((s / 3600) * 100) / 100;
  return (await rs.json<Record<string, unknown>>()).map((r) => {
    const [reacted, onTime, overdue, answered] = [Number(r.reacted), Number(r.reacted_on_time), Number(r.overdue_now), Number(r.answered)];
    const qr = r.qr as number[];
    const qa = r.qa as number[];
    return {
      [opts.groupBy]: String(r.grp), signals: Number(r.signals), reacted, reactedOnTime: onTime, overdueNow: overdue,
      onTimeShare: reacted + overdue > 0 ? Math.round((onTime / (reacted + overdue)) * 10_000) / 10_000 : 0,
      medianReactionHours: reacted > 0 ? hours(Number(qr[0])) : 0, p90ReactionHours: reacted > 0 ? hours(Number(qr[1])) : 0,
      answered, medianAnswerHours: answered > 0 ? hours(Number(qa[0])) : 0,
    };
  });
}
