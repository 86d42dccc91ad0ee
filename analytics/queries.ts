/**
 * The queries behind every dashboard panel. Parameters are always bound (`{name:Type}`); optional filters are
 * bound as empty strings and switched off inside the SQL, so each panel is one fixed statement.
 * Events are deduplicated at ingest, so nothing here needs FINAL on `events` or the per-event rollups; `case_facts`
 * is read FINAL because its rows for one case arrive from several events and merge later (cheap: merged parts are
 * skipped). Where a panel has a few shapes (grouping dimension, whether a municipality filter is set), the statement
 * is picked from fixed texts so each shape reads the smallest rollup; values are still bound, never spliced.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export type Row = Record<string, string | number>;

export interface Filters {
  /** Inclusive start, exclusive end, UTC, as ClickHouse DateTime64 text: `2026-01-01 00:00:00.000`. */
  from: string;
  to: string;
  source?: string;
  category?: string;
  municipality?: string;
  organization?: string;
  /**
   * The region's IANA zone: the volume panel's days, weeks and months, and the days of rising topics, are its (UTC
   * when absent). `from` and `to` are instants already.
   */
  timeZone?: string;
  /**
   * Only these organizations' figures (a reader scoped to their organizations): applies to the tables that carry the
   * organization (ORGANIZATION_TABLES); undefined for every organization.
   */
  organizations?: string[];
}

/** The tables whose rows belong to an organization, so they can be cut to a reader's organizations. */
export const ORGANIZATION_TABLES = ['sla', 'ratings'] as const;

export const ALL_TIME: Pick<Filters, 'from' | 'to'> = { from: '1970-01-01 00:00:00.000', to: '2100-01-01 00:00:00.000' };

/** A date-time as ClickHouse DateTime64(3) text in UTC. */
export const toChTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

export const filterParams = (f: Filters) => ({
  from: f.from,
  to: f.to,
  source: f.source ?? '',
  category: f.category ?? '',
  municipality: f.municipality ?? '',
  organization: f.organization ?? '',
  organizations: f.organizations ?? [],
  tz: f.timeZone ?? 'UTC',
});

export const FROM_TO = 'at >= {from:DateTime64(3)} AND at < {to:DateTime64(3)}';
/**
 * The dimension filters that are set, as bound conditions (`TRUE` when none). Only set filters appear in the
 * statement: an `({x} = '' OR col = {x})` term for an unset filter still made ClickHouse read and test the column,
 * measured at a third of the SLA panel's CPU over a million cases.
 */
export const dims = (f: Filters, cols: Partial<Record<'source' | 'category' | 'municipality' | 'organization', string>> = {}) => {
  const terms = (['source', 'category', 'municipality', 'organization'] as const)
    .filter((d) => f[d] && (d !== 'organization' || cols.organization))
    .map((d) => `${cols[d] ?? d} = {${d}:String}`);
  if (f.organizations && cols.organization) terms.push(`has({organizations:Array(String)}, ${cols.organization})`);
  return terms.length ? terms.join(' AND ') : 'TRUE';
};

export async function rows(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<Row[]> {
  const rs = await ch.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  return rs.json<Row>();
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : 0);

export interface Summary {
  byCategory: { category: string; count: number }[];
  bySource: { source: string; count: number }[];
}

/**
 * The whole UTC days inside [from, to) come from a daily rollup; the partial first and last day are counted from
 * events (a pruned read of at most two days), so the range is exact to the millisecond at rollup cost.
 */
const exactDays = (rollup: string, dims: string, eventType: string) => `
  WITH toDate({from:DateTime64(3)}) + (toDateTime64(toDate({from:DateTime64(3)}), 3, 'UTC') < {from:DateTime64(3)}) AS first_full,
       toDate({to:DateTime64(3)}) AS after_full
  SELECT ${dims}, sum(n) AS count FROM (
    SELECT ${dims}, sum(messages) AS n FROM ${rollup}
    WHERE day >= first_full AND day < after_full
    GROUP BY ${dims}
    UNION ALL
    SELECT ${dims}, count() AS n FROM events
    WHERE type = '${eventType}' AND status = ''
      AND ((at >= {from:DateTime64(3)} AND at < least({to:DateTime64(3)}, toDateTime64(first_full, 3, 'UTC')))
        OR (at >= greatest({from:DateTime64(3)}, toDateTime64(greatest(after_full, first_full), 3, 'UTC')) AND at < {to:DateTime64(3)}))
    GROUP BY ${dims}
  )
  GROUP BY ${dims}
  ORDER BY count DESC, ${dims}`;
const SUMMARY_BY_CATEGORY = exactDays('messages_daily_region', 'category', 'message.classified');
const SUMMARY_BY_SOURCE = exactDays('received_daily', 'source', 'message.received');

/** Messages by category (classified events) and by source (received events). */
export async function summary(ch: ClickHouseClient, range: { from?: string; to?: string } = {}): Promise<Summary> {
  const params = { from: range.from ?? ALL_TIME.from, to: range.to ?? ALL_TIME.to };
  const [byCategory, bySource] = await Promise.all([rows(ch, SUMMARY_BY_CATEGORY, params), rows(ch, SUMMARY_BY_SOURCE, params)]);
  return {
    byCategory: byCategory.map((r) => ({ category: String(r.category), count: Number(r.count) })),
    bySource: bySource.map((r) => ({ source: String(r.source), count: Number(r.count) })),
  };
}

export const VOLUME_INTERVALS = ['day', 'week', 'month'] as const;
export const VOLUME_DIMENSIONS = ['source', 'category', 'municipality'] as const;

const LOCAL_DAY = 'toDate(hour, {tz:String})';
const PERIOD = { day: LOCAL_DAY, week: `toMonday(${LOCAL_DAY})`, month: `toStartOfMonth(${LOCAL_DAY})` } as const;
/**
 * The hours of the region's days that `from` and the last instant before `to` fall on, and of every day between.
 * `from` is kept after 1970-01-02: the midnight before an open range's start (1970-01-01 UTC) east of UTC would fall
 * before the epoch, where DateTime wraps round to 2106 and nothing would match.
 */
const LOCAL_DAYS_RANGE = `hour >= toStartOfDay(greatest({from:DateTime64(3)}, toDateTime64('1970-01-02 00:00:00', 3, 'UTC')), {tz:String})
  AND hour < toStartOfDay({to:DateTime64(3)} - toIntervalMillisecond(1), {tz:String}) + toIntervalDay(1)`;
type Dim = (typeof VOLUME_DIMENSIONS)[number];
/** Hourly rollups from smallest to largest, with the dimensions each keeps. */
const HOURLY_ROLLUPS: { table: string; dims: Dim[] }[] = [
  { table: 'messages_hourly_municipality', dims: ['municipality'] },
  { table: 'messages_hourly_region', dims: ['category', 'source'] },
  { table: 'messages_hourly', dims: ['municipality', 'category', 'source'] },
];
/**
 * The smallest hourly rollup that has every dimension the panel groups or filters on (so every set filter's column
 * is there).
 */
function hourlyRollup(f: Filters, groupDims: Dim[]): { table: string; dims: string } {
  const needed = new Set<Dim>([...groupDims, ...VOLUME_DIMENSIONS.filter((d) => f[d])]);
  const r = HOURLY_ROLLUPS.find((x) => [...needed].every((d) => x.dims.includes(d)))!;
  return { table: r.table, dims: dims(f) };
}

/**
 * Messages over time split by one dimension, from the hourly rollups grouped into the region's days, weeks or months
 * (a range is taken in whole days of the region: the days that `from` and the last instant before `to` fall on).
 */
export async function volume(ch: ClickHouseClient, f: Filters,
  opts: { interval: (typeof VOLUME_INTERVALS)[number]; by: (typeof VOLUME_DIMENSIONS)[number] }): Promise<Row[]>
{
  if (!VOLUME_DIMENSIONS.includes(opts.by) || !(opts.interval in PERIOD)) throw new Error(`unknown volume shape ${opts.interval}/${opts.by}`);
  const src = hourlyRollup(f, [opts.by]);
  const result = await rows(ch, `
    SELECT ${PERIOD[opts.interval]} AS period, ${opts.by} AS value, sum(messages) AS messages
    FROM ${src.table}
    WHERE ${LOCAL_DAYS_RANGE} AND ${src.dims}
    GROUP BY period, value
    ORDER BY period, messages DESC, value`, filterParams(f));
  return result.map((r) => ({ period: String(r.period), value: String(r.value), messages: Number(r.messages) }));
}

/** Categories by number of messages, with their share of all messages under the same filters. */
export async function topProblems(ch: ClickHouseClient, f: Filters, opts: { limit: number }): Promise<Row[]> {
  const src = hourlyRollup(f, ['category']);
  const result = await rows(ch, `
    SELECT toString(category) AS category, sum(messages) AS messages, messages / sum(messages) OVER () AS share
    FROM ${src.table}
    WHERE ${LOCAL_DAYS_RANGE} AND ${src.dims}
    GROUP BY category
    ORDER BY messages DESC, category
    LIMIT {limit:UInt32}`, { ...filterParams(f), limit: opts.limit });
  return result.map((r) => ({ category: String(r.category), messages: Number(r.messages), share: round(Number(r.share), 4) }));
}

/**
 * Rising topics: per municipality and category, the region's last 7 days up to the end of the day `to` falls in,
 * against the weekly average of the `weeks` weeks before them. A spike needs at least `minCount` messages, at least
 * twice the baseline and a rise beyond three Poisson standard deviations of the baseline, so small districts do not
 * flap on two messages.
 */
export async function risingTopics(ch: ClickHouseClient, f: Filters, opts: { weeks: number; minCount: number; limit: number; now?: Date }): Promise<Row[]> {
  // "The last 7 days" end today when no end date is given (an open range reaches 2100, where nothing has happened yet).
  const today = toChTime(opts.now ?? new Date());
  const to = f.to > today ? today : f.to;
  const result = await rows(ch, `
    WITH toStartOfDay({to:DateTime64(3)} - toIntervalMillisecond(1), {tz:String}) + toIntervalDay(1) AS end_of_days,
         end_of_days - toIntervalDay(7) AS week_start
    SELECT toString(municipality) AS municipality, toString(category) AS category,
           sumIf(messages, hour >= week_start) AS current,
           sumIf(messages, hour < week_start) / {weeks:UInt32} AS baseline,
           (current + 1) / (baseline + 1) AS ratio
    FROM messages_hourly
    WHERE hour >= end_of_days - toIntervalDay(7 * ({weeks:UInt32} + 1)) AND hour < end_of_days AND ${dims(f)}
    GROUP BY municipality, category
    HAVING current >= {minCount:UInt32} AND current >= 2 * baseline AND current - baseline >= 3 * sqrt(baseline + 1)
    ORDER BY ratio DESC, current DESC, municipality, category
    LIMIT {limit:UInt32}`, { ...filterParams({ ...f, to }), weeks: opts.weeks, minCount: opts.minCount, limit: opts.limit });
  return result.map((r) => ({
    municipality: String(r.municipality),
    category: String(r.category),
    current: Number(r.current),
    baseline: round(Number(r.baseline)),
    ratio: round(Number(r.ratio)),
  }));
}

/**
 * Incidents (messages the classifier grouped as one event) by number of mentions in the range. The most frequent
 * municipality and category (topK states, costly per group) are computed only for the incidents that make the list.
 */
export async function incidents(ch: ClickHouseClient, f: Filters, opts: { limit: number }): Promise<Row[]> {
  const result = await rows(ch, `
    WITH top AS (
      SELECT incident_id, count() AS mentions FROM incident_mentions
      WHERE ${FROM_TO} AND ${dims(f)}
      GROUP BY incident_id
      ORDER BY mentions DESC, incident_id
      LIMIT {limit:UInt32}
    )
    SELECT incident_id AS incident, count() AS mentions, toString(min(at)) AS first_at, toString(max(at)) AS last_at,
           toString(topKWeighted(1)(municipality, 1)[1]) AS top_municipality, toString(topKWeighted(1)(category, 1)[1]) AS top_category,
           arrayStringConcat(arraySort(groupUniqArray(toString(source))), ', ') AS sources
    FROM incident_mentions
    WHERE incident_id IN (SELECT incident_id FROM top) AND ${FROM_TO} AND ${dims(f)}
    GROUP BY incident_id
    ORDER BY mentions DESC, incident
    LIMIT {limit:UInt32}`, { ...filterParams(f), limit: opts.limit });
  return result.map((r) => ({
    incident: String(r.incident),
    mentions: Number(r.mentions),
    firstAt: String(r.first_at),
    lastAt: String(r.last_at),
    municipality: String(r.top_municipality),
    category: String(r.top_category),
    sources: String(r.sources),
  }));
}

/** The mentions of one incident: which message, when, from where (no texts: analytics holds none). */
export async function incidentMentions(ch: ClickHouseClient, incident: string, f: Filters, opts: { limit: number }): Promise<Row[]> {
  const result = await rows(ch, `
    SELECT toString(message_id) AS message_id, toString(at) AS mention_at, toString(source) AS source,
           toString(municipality) AS municipality, toString(category) AS category
    FROM incident_mentions
    WHERE incident_id = {incident:String} AND ${FROM_TO} AND ${dims(f)}
    ORDER BY mention_at, message_id
    LIMIT {limit:UInt32}`, { ...filterParams(f), incident, limit: opts.limit });
  return result.map((r) => ({ messageId: String(r.message_id), at: String(r.mention_at), source: String(r.source), municipality: String(r.municipality),
    category: String(r.category) })
  );
}

export const SLA_GROUPS = ['organization', 'category', 'organization,category'] as const;
export type SlaGroup = (typeof SLA_GROUPS)[number];

const NEVER = "toDateTime(4294967295, 'UTC')";
const caseDims = (f: Filters) => `created_at >= {from:DateTime64(3)} AND created_at < {to:DateTime64(3)} AND ${dims(f, { organization: 'org.3' })}`;
// Groups are keyed by fixed-width numbers: the organization's hash kept in case_facts, the category itself (one
// LowCardinality key) or their sum. A (String or UInt64, LowCardinality) key takes ClickHouse's serialized-key path,
// measured several times slower over a million cases; a collision among a few thousand groups is ~1e-13 likely.
const groupCols = (g: SlaGroup) => ({
  organization: g.includes('organization') ? 'org.3' : "''",
  category: g.includes('category') ? 'toString(category)' : "''",
  key: { organization: 'org.2', category: 'category', 'organization,category': 'org.2 + cityHash64(category)' }[g],
});

/**
 * SLA for cases registered in the range (rejected at moderation excluded): answered, answered by the deadline,
 * overdue now (unanswered past the deadline at `now`), and the median and 90th percentile hours to the answer
 * (exact, linear interpolation, like PostgreSQL's percentile_cont). The on-time share counts the cases whose
 * deadline has been decided: answered ones and unanswered ones already overdue.
 */
export async function sla(ch: ClickHouseClient, f: Filters, opts: { groupBy: SlaGroup; now: Date }): Promise<Row[]> {
  const g = groupCols(opts.groupBy);
  const result = await rows(ch, `
    SELECT any(${g.organization}) AS group_org, any(${g.category}) AS group_cat,
           count() AS cases,
           countIf(answered_at != ${NEVER}) AS answered,
           countIf(answered_at <= deadline_at) AS answered_on_time,
           countIf(answered_at = ${NEVER} AND deadline_at < {now:DateTime}) AS overdue_now,
           quantilesExactInclusiveIf(0.5, 0.9)(toInt64(answered_at) - toInt64(created_at), answered_at != ${NEVER}) AS q
    FROM case_facts FINAL
    WHERE NOT rejected AND ${caseDims(f)}
    GROUP BY ${g.key}
    ORDER BY cases DESC, group_org, group_cat`, { ...filterParams(f), now: Math.floor(opts.now.getTime() / 1000) });
  return result.map((r) => {
    const answered = Number(r.answered);
    const onTime = Number(r.answered_on_time);
    const overdue = Number(r.overdue_now);
    const q = r.q as unknown as number[];
    return {
      organization: String(r.group_org),
      category: String(r.group_cat),
      cases: Number(r.cases),
      answered,
      answeredOnTime: onTime,
      overdueNow: overdue,
      onTimeShare: answered + overdue > 0 ? round(onTime / (answered + overdue), 4) : 0,
      medianHours: answered > 0 ? round(Number(q[0]) / 3600) : 0,
      p90Hours: answered > 0 ? round(Number(q[1]) / 3600) : 0,
    };
  });
}

/** Citizen ratings (each case's latest rating) and the cases sent to repeat review, for cases registered in the range. */
export async function ratings(ch: ClickHouseClient, f: Filters, opts: { groupBy: SlaGroup }): Promise<Row[]> {
  const g = groupCols(opts.groupBy);
  const result = await rows(ch, `
    SELECT any(${g.organization}) AS group_org, any(${g.category}) AS group_cat,
           countIf(rating.2 > 0) AS rated,
           avgIf(rating.2, rating.2 > 0) AS average,
           countIf(rating.2 = 1) AS r1, countIf(rating.2 = 2) AS r2, countIf(rating.2 = 3) AS r3,
           countIf(rating.2 = 4) AS r4, countIf(rating.2 = 5) AS r5,
           countIf(repeat_review = 1) AS repeat_reviews
    FROM case_facts FINAL
    WHERE NOT rejected AND ${caseDims(f)}
    GROUP BY ${g.key}
    HAVING rated > 0 OR repeat_reviews > 0
    ORDER BY rated DESC, group_org, group_cat`, filterParams(f));
  return result.map((r) => ({
    organization: String(r.group_org),
    category: String(r.group_cat),
    rated: Number(r.rated),
    average: round(Number(r.average)),
    r1: Number(r.r1),
    r2: Number(r.r2),
    r3: Number(r.r3),
    r4: Number(r.r4),
    r5: Number(r.r5),
    repeatReviews: Number(r.repeat_reviews),
  }));
}

/** Rejections at moderation by reason, with the share of all cases registered under the same filters. */
export async function rejections(ch: ClickHouseClient, f: Filters): Promise<Row[]> {
  const result = await rows(ch, `
    SELECT if(reason = '', 'не указана', toString(reason)) AS reason, count() AS rejected,
           rejected / greatest(1, (SELECT count() FROM events WHERE type = 'case.created' AND status = 'moderation' AND ${FROM_TO} AND ${dims(f)})) AS share
    FROM events
    WHERE type = 'case.transition' AND status = 'rejected' AND ${FROM_TO} AND ${dims(f)}
    GROUP BY reason
    ORDER BY rejected DESC, reason`, filterParams(f));
  return result.map((r) => ({ reason: String(r.reason), rejected: Number(r.rejected), share: round(Number(r.share), 4) }));
}

/** The bare scan every panel is measured against in the bench. */
export async function bareCategoryScan(ch: ClickHouseClient): Promise<Row[]> {
  return rows(ch, 'SELECT category, count() AS n FROM events GROUP BY category', {});
}
