-- One wide events table. No personal data: authors only as salted hashes, no texts.
-- Writes are deduplicated at ingest (analytics/events-store.ts looks new ids up in event_ids before inserting),
-- so dashboards read it without FINAL and the rollups below count every event once. ReplacingMergeTree on a key
-- ending in the deterministic event_id is the backstop for a race between two writers; `otklik analytics rebuild`
-- re-derives the rollups from events FINAL. Panels read the rollups in 002; what still reads events (rejections,
-- the partial first and last day of the public summary) filters on type, status and a time range, so the sort key
-- puts the day right after them.
CREATE TABLE IF NOT EXISTS events
(
    event_id UUID,
    type LowCardinality(String),
    at DateTime64(3, 'UTC'),
    message_id UUID DEFAULT toUUID('00000000-0000-0000-0000-000000000000'),
    case_id UUID DEFAULT toUUID('00000000-0000-0000-0000-000000000000'),
    source LowCardinality(String) DEFAULT '',
    category LowCardinality(String) DEFAULT '',
    municipality LowCardinality(String) DEFAULT '',
    organization_id LowCardinality(String) DEFAULT '',
    status LowCardinality(String) DEFAULT '',
    from_status LowCardinality(String) DEFAULT '',
    fast_track UInt8 DEFAULT 0,
    kind LowCardinality(String) DEFAULT '',
    confidence Float32 DEFAULT 0,
    model_version LowCardinality(String) DEFAULT '',
    author_hash String DEFAULT '',
    deadline_at Nullable(DateTime64(3, 'UTC')),
    rating UInt8 DEFAULT 0,
    incident_id String DEFAULT '',
    reason LowCardinality(String) DEFAULT '',
    poll_id LowCardinality(String) DEFAULT '',
    question_id LowCardinality(String) DEFAULT '',
    option_id LowCardinality(String) DEFAULT '',
    actor String DEFAULT '',
    props Map(String, String),
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(at)
ORDER BY (type, status, toDate(at), municipality, category, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
