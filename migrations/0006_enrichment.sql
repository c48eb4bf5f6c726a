-- Overpass enrichment jobs: what was asked, how it ended, where the data came from.
CREATE TABLE enrichment_jobs (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dedup_key      text NOT NULL,
    bbox           geometry(Polygon, 4326) NOT NULL,
    themes         text[] NOT NULL DEFAULT '{}',
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    outcome        text CHECK (outcome IN ('succeeded', 'failed', 'quota_denied', 'circuit_open',
                                           'timeout', 'retry_exhausted')),
    endpoint       text,
    source_url     text,
    attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    bytes_read     bigint NOT NULL DEFAULT 0 CHECK (bytes_read >= 0),
    pois_received  integer NOT NULL DEFAULT 0,
    pois_inserted  integer NOT NULL DEFAULT 0,
    pois_updated   integer NOT NULL DEFAULT 0,
    error          text,
    CONSTRAINT enrichment_jobs_finished_has_outcome
        CHECK ((finished_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX enrichment_jobs_started_idx ON enrichment_jobs (started_at DESC);
