/**
 * Monitoring in hours: how fast the team reacts to signals (posts and comments the monitoring found) and answers
 * them, from the `signal.*` events (no personal data). Signals of the range are those received in it; `other` (no
 * term, also after a kind correction) and rejected ones are left out of the terms. A signal counts for the
 * organization its case was routed to last.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Filters, Row } from './queries.js';

export const SIGNAL_GROUPS = ['municipality', 'organization', 'source'] as const;
export type SignalGroup = (typeof SIGNAL_GROUPS)[number];

const GROUP_COLUMN: Record<SignalGroup, string> = { municipality: 'municipality', organization: 'org', source: 'source' };

/** The received signals of the range under the filters (organization filters on the answer's organization below). */
const receivedWhere = (f: Filters) =>
  [
    "type = 'signal.received'",
    'at >= {from:DateTime64(3)}',
    'at < {to:DateTime64(3)}',
    ...(['source', 'category', 'municipality'] as const).filter((d) => f[d]).map((d) => `${d} = {${d}:String}`),
  ].join(' AND ');

/**
 * One row per signal received in the range: its term as it is now (a kind correction to `other` takes it away, one
 * back gives it again), its first reaction and answer, the answer's term once accepted, and the organization the
 * routing named last (empty until then).
 */
const perSignal = (f: Filters) => `
  SELECT message_id,
         minIf(at, type = 'signal.received') AS received_at,
         argMaxIf(tuple(deadline_at), at, type IN ('signal.received', 'signal.corrected')).1 AS term,
         assumeNotNull(term) AS due,
         argMaxIf(props['answerDueAt'], at, type IN ('signal.accepted', 'signal.routed') AND props['answerDueAt'] != '') AS answer_due_text,
         answer_due_text != '' AS has_answer_term,
         parseDateTime64BestEffortOrZero(answer_due_text, 3, 'UTC') AS answer_due,
         anyIf(toString(source), type = 'signal.received') AS source,
         anyIf(toString(municipality), type = 'signal.received') AS municipality,
         countIf(type = 'signal.reacted') AS reactions, minIf(at, type = 'signal.reacted') AS reacted_at,
         countIf(type = 'signal.answered') AS answers, minIf(at, type = 'signal.answered') AS answered_at,
         countIf(type = 'signal.rejected') AS rejections,
         argMaxIf(toString(organization_id), at, organization_id != '') AS org
  FROM events
  WHERE type IN ('signal.received', 'signal.accepted', 'signal.routed', 'signal.corrected', 'signal.reacted', 'signal.answered', 'signal.rejected')
    AND message_id IN (SELECT message_id FROM events WHERE ${receivedWhere(f)})
  GROUP BY message_id`;

const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);
const hours = (s: number) => Math.round((s / 3600) * 100) / 100;

/**
 * Per group: signals with a term, first reactions (the interim «взято в работу» or the answer) in time, overdue now
 * (none yet and past the term at `now`), the share in time of those decided, the median and 90th percentile hours to
 * the first reaction and to the answer; those still unanswered; and of accepted signals (their case's term), the
 * answers in time, those past it now and the share in time of those decided.
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
             countIf(answers = 0) AS unanswered,
             countIf(has_answer_term AND answers > 0) AS answered_with_term,
             countIf(has_answer_term AND answers > 0 AND answered_at <= answer_due) AS answered_on_time,
             countIf(has_answer_term AND answers = 0 AND answer_due < {now:DateTime64(3)}) AS answer_overdue_now,
             quantilesExactInclusiveIf(0.5, 0.9)(dateDiff('second', received_at, reacted_at), reactions > 0) AS qr,
             quantilesExactInclusiveIf(0.5, 0.9)(dateDiff('second', received_at, answered_at), answers > 0) AS qa
      FROM (${perSignal(f)})
      WHERE term IS NOT NULL AND rejections = 0 ${f.organization ? 'AND org = {organization:String}' : ''}
      GROUP BY grp
      ORDER BY signals DESC, grp`,
    query_params: { from: f.from, to: f.to, source: f.source ?? '', category: f.category ?? '', municipality: f.municipality ?? '',
      organization: f.organization ?? '', now: opts.now.toISOString().replace('T', ' ').replace('Z', '') },
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  return (await rs.json<Record<string, unknown>>()).map((r) => {
    const n = (k: string) => Number(r[k]);
    const [reacted, overdue, answered] = [n('reacted'), n('overdue_now'), n('answered')];
    const qr = r.qr as number[];
    const qa = r.qa as number[];
    return {
      [opts.groupBy]: String(r.grp),
      signals: n('signals'),
      reacted,
      reactedOnTime: n('reacted_on_time'),
      overdueNow: overdue,
      onTimeShare: share(n('reacted_on_time'), reacted + overdue),
      medianReactionHours: reacted > 0 ? hours(Number(qr[0])) : 0,
      p90ReactionHours: reacted > 0 ? hours(Number(qr[1])) : 0,
      answered,
      unanswered: n('unanswered'),
      medianAnswerHours: answered > 0 ? hours(Number(qa[0])) : 0,
      answeredOnTime: n('answered_on_time'),
      answerOverdueNow: n('answer_overdue_now'),
      answerOnTimeShare: share(n('answered_on_time'), n('answered_with_term') + n('answer_overdue_now')),
    };
  });
}
