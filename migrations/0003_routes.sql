-- Route requests (the job and its status), stored results, idempotency keys.
CREATE TABLE route_requests (
    request_id   uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    payload      jsonb NOT NULL,
    payload_hash text NOT NULL,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    progress     smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error        text,
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    expires_at   timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    CONSTRAINT route_requests_failed_has_error CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX route_requests_user_idx ON route_requests (user_id, created_at DESC);
CREATE INDEX route_requests_expiry_idx ON route_requests (expires_at);

CREATE TABLE routes (
    request_id uuid PRIMARY KEY REFERENCES route_requests (request_id) ON DELETE CASCADE,
    result     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours'
);
CREATE INDEX routes_expiry_idx ON routes (expires_at);

CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    payload_hash text NOT NULL,
    request_id   uuid NOT NULL REFERENCES route_requests (request_id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);
