-- One wide events table. No personal data: authors only as salted hashes, no texts.
-- ReplacingMergeTree on the deterministic event_id: a re-emitted or retried event counts once
-- (queries read it with FINAL or through deduplicating rollups).
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
    actor String DEFAULT '',
    props Map(String, String),
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(at)
ORDER BY (type, source, category, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
