-- Rollups behind the dashboard panels, fed by materialized views on events. Because events are deduplicated at
-- ingest (analytics/events-store.ts), each view sees every event once, so sums and per-event rows are exact without
-- FINAL; the per-case facts use only idempotent aggregates (min/max), so even a duplicate that slipped through
-- cannot change them, and per-event tables are ReplacingMergeTree on the event id as a backstop.

-- Event ids already stored, sorted by id: the ingest-time dedupe lookup is a primary-key read, not a scan.
CREATE TABLE IF NOT EXISTS event_ids
(
    event_id UUID,
    at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY event_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_ids_mv TO event_ids AS
SELECT event_id, at FROM events;

-- Classified messages per UTC day and dimension: volume over time, top problems, rising topics, the public summary.
CREATE TABLE IF NOT EXISTS messages_daily
(
    day Date,
    municipality LowCardinality(String),
    category LowCardinality(String),
    source LowCardinality(String),
    messages UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYear(day)
ORDER BY (day, municipality, category, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS messages_daily_mv TO messages_daily AS
SELECT toDate(at) AS day, municipality, category, source, count() AS messages
FROM events
WHERE type = 'message.classified'
GROUP BY day, municipality, category, source;

-- The same counts without the municipality: at two years × 15 categories × 4 sources it is a few tens of
-- thousands of rows, so unfiltered region-wide panels (the default view) read it instead of the full rollup.
CREATE TABLE IF NOT EXISTS messages_daily_region
(
    day Date,
    category LowCardinality(String),
    source LowCardinality(String),
    messages UInt64
)
ENGINE = SummingMergeTree
ORDER BY (day, category, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS messages_daily_region_mv TO messages_daily_region AS
SELECT toDate(at) AS day, category, source, count() AS messages
FROM events
WHERE type = 'message.classified'
GROUP BY day, category, source;

-- And per municipality only (two years × ~60 municipalities): volume by municipality without other filters.
CREATE TABLE IF NOT EXISTS messages_daily_municipality
(
    day Date,
    municipality LowCardinality(String),
    messages UInt64
)
ENGINE = SummingMergeTree
ORDER BY (day, municipality);

CREATE MATERIALIZED VIEW IF NOT EXISTS messages_daily_municipality_mv TO messages_daily_municipality AS
SELECT toDate(at) AS day, municipality, count() AS messages
FROM events
WHERE type = 'message.classified'
GROUP BY day, municipality;

-- Received messages per UTC day and source: the public summary's by-source counts.
CREATE TABLE IF NOT EXISTS received_daily
(
    day Date,
    source LowCardinality(String),
    messages UInt64
)
ENGINE = SummingMergeTree
ORDER BY (day, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS received_daily_mv TO received_daily AS
SELECT toDate(at) AS day, source, count() AS messages
FROM events
WHERE type = 'message.received'
GROUP BY day, source;

-- One row per mention of an incident (a few percent of messages): the incident list and its mentions read this
-- instead of scanning every classified message for the rare incident id.
CREATE TABLE IF NOT EXISTS incident_mentions
(
    incident_id String,
    at DateTime64(3, 'UTC'),
    event_id UUID,
    message_id UUID,
    source LowCardinality(String),
    category LowCardinality(String),
    municipality LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (incident_id, at, event_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS incident_mentions_mv TO incident_mentions AS
SELECT incident_id, at, event_id, message_id, source, category, municipality
FROM events
WHERE type = 'message.classified' AND incident_id != '';

-- One row per vote, narrow and sorted by poll: turnout and results. The voter is the 128-bit SipHash of the
-- author hash, which is what uniqExact computes over strings anyway, so distinct counts are unchanged while the
-- scan reads 16 fixed bytes instead of a string.
CREATE TABLE IF NOT EXISTS poll_votes
(
    poll_id LowCardinality(String),
    at DateTime64(3, 'UTC'),
    event_id UUID,
    voter UInt128,
    municipality LowCardinality(String),
    question_id LowCardinality(String),
    option_id LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (poll_id, at, event_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS poll_votes_mv TO poll_votes AS
SELECT poll_id, at, event_id, reinterpretAsUInt128(sipHash128(author_hash)) AS voter, municipality, question_id, option_id
FROM events
WHERE type = 'vote.cast';

-- One row per case after merges: what SLA, ratings and repeat reviews need. Times are whole seconds with
-- sentinels instead of NULLs (cheaper to scan): "never" is the largest DateTime. Latest-value columns are
-- max((at, value)) tuples, so the newest transition wins whatever order events arrive in, and replays change
-- nothing. The organization is (at, hash of id, id): panels group on the 64-bit hash (a fixed-width key, measured
-- several times cheaper than grouping on the string) and show the id, both from the same latest transition.
CREATE TABLE IF NOT EXISTS case_facts
(
    case_id UUID,
    created_at SimpleAggregateFunction(min, DateTime('UTC')),
    deadline_at SimpleAggregateFunction(max, DateTime('UTC')),
    source SimpleAggregateFunction(max, LowCardinality(String)),
    category SimpleAggregateFunction(max, LowCardinality(String)),
    municipality SimpleAggregateFunction(max, LowCardinality(String)),
    fast_track SimpleAggregateFunction(max, UInt8),
    answered_at SimpleAggregateFunction(min, DateTime('UTC')),
    rejected SimpleAggregateFunction(max, UInt8),
    repeat_review SimpleAggregateFunction(max, UInt8),
    org SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), UInt64, String)),
    rating SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), UInt8))
)
ENGINE = AggregatingMergeTree
ORDER BY case_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS case_facts_mv TO case_facts AS
SELECT
    case_id,
    min(if(type = 'case.created', toDateTime(at, 'UTC'), toDateTime(4294967295, 'UTC'))) AS created_at,
    max(if(type = 'case.created', toDateTime(ifNull(deadline_at, at), 'UTC'), toDateTime(0, 'UTC'))) AS deadline_at,
    maxIf(source, type = 'case.created') AS source,
    maxIf(category, type = 'case.created') AS category,
    maxIf(municipality, type = 'case.created') AS municipality,
    maxIf(fast_track, type = 'case.created') AS fast_track,
    min(if(type = 'case.transition' AND status = 'answered', toDateTime(at, 'UTC'), toDateTime(4294967295, 'UTC'))) AS answered_at,
    max(toUInt8(type = 'case.transition' AND status = 'rejected')) AS rejected,
    max(toUInt8(type = 'case.transition' AND status = 'repeat_review')) AS repeat_review,
    max(if(organization_id != '', (at, cityHash64(toString(organization_id)), toString(organization_id)), (toDateTime64(0, 3, 'UTC'), cityHash64(''), ''))) AS org,
    max(if(type = 'case.rated' AND rating > 0, (at, rating), (toDateTime64(0, 3, 'UTC'), toUInt8(0)))) AS rating
FROM events
WHERE type IN ('case.created', 'case.transition', 'case.rated')
  AND case_id != toUUID('00000000-0000-0000-0000-000000000000')
GROUP BY case_id;
