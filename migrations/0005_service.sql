-- Indexes the route service needs beyond 0003.
-- The stale-queue sweep reads the oldest queued requests; a partial index keeps
-- that cheap however many finished requests the table holds.
CREATE INDEX route_requests_queued_idx ON route_requests (created_at, request_id)
    WHERE status = 'queued';
-- Deleting an expired request cascades to its idempotency keys; without an
-- index on the referencing column every such delete scans the whole key table.
CREATE INDEX idempotency_keys_request_idx ON idempotency_keys (request_id);
