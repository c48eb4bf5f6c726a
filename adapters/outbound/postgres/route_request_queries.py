"""The SQL of ``PostgresRouteRequestStore``: requests, results, keys, cancels and history."""

from __future__ import annotations

RECORD = """r.request_id, r.user_id, r.payload, r.status, r.progress, r.error, r.attempts,
       r.created_at, r.updated_at"""

DROP_EXPIRED_KEY = """DELETE FROM idempotency_keys
WHERE user_id = %(user_id)s AND key = %(key)s AND expires_at <= %(created_at)s"""

INSERT_REQUEST = """
INSERT INTO route_requests (request_id, user_id, payload, payload_hash, status, progress,
                            created_at, updated_at, expires_at)
VALUES (%(request_id)s, %(user_id)s, %(payload)s, %(payload_hash)s, 'queued', 0,
        %(created_at)s, %(created_at)s, %(expires_at)s)
"""

# A concurrent uncommitted insert of the same key makes this wait for that
# transaction: if it commits we insert nothing, if it rolls back we win.
BIND_KEY = """
INSERT INTO idempotency_keys (user_id, key, payload_hash, request_id, created_at, expires_at)
VALUES (%(user_id)s, %(key)s, %(key_hash)s, %(request_id)s, %(created_at)s, %(key_expires_at)s)
ON CONFLICT (user_id, key) DO NOTHING
RETURNING request_id
"""

BOUND_KEY = """SELECT key, payload_hash, request_id, expires_at FROM idempotency_keys
WHERE user_id = %(user_id)s AND key = %(key)s"""

GET = f"""SELECT {RECORD}, rt.result
FROM route_requests r LEFT JOIN routes rt ON rt.request_id = r.request_id
WHERE r.request_id = %s"""

# A running request is taken only when nobody holds it (no lease, or a lapsed one).
BEGIN_ATTEMPT = """
UPDATE route_requests
SET status = 'running', attempts = attempts + 1, error = NULL, updated_at = %(at)s,
    started_at = coalesce(started_at, %(at)s), lease_until = %(lease_until)s
WHERE request_id = %(request_id)s AND status = ANY(%(from_statuses)s)
  AND (status <> 'running' OR lease_until IS NULL OR lease_until <= %(at)s)
RETURNING request_id, status, progress, error, updated_at
"""

SET_LEASE = """UPDATE route_requests SET lease_until = %(until)s
WHERE request_id = %(request_id)s AND status = 'running'"""

DELETE_REQUESTS = "DELETE FROM route_requests WHERE expires_at <= %s"
LOCK = "SELECT status, expires_at FROM route_requests WHERE request_id = %s FOR UPDATE"

APPLY = """
UPDATE route_requests
SET status = %(status)s, progress = greatest(progress, %(progress)s), error = %(error)s,
    updated_at = %(at)s, finished_at = %(finished_at)s
WHERE request_id = %(request_id)s
RETURNING request_id, status, progress, error, updated_at
"""

STORE_RESULT = """INSERT INTO routes (request_id, result, created_at, expires_at)
VALUES (%(request_id)s, %(result)s, %(at)s, %(expires_at)s) ON CONFLICT (request_id) DO NOTHING"""

# Locking CTEs are never inlined, but MATERIALIZED says so: the LIMIT and
# SKIP LOCKED must be evaluated once, so two sweepers never share a request.
# Each branch has a partial index (queued by creation, running by lease).
CLAIM_LOST = f"""
WITH lost AS MATERIALIZED (
    SELECT request_id FROM route_requests
    WHERE (status = 'queued' AND updated_at < %(untouched_since)s)
       OR (status = 'running' AND lease_until < %(now)s)
       OR (status = 'running' AND lease_until IS NULL AND updated_at < %(untouched_since)s)
    ORDER BY created_at, request_id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE route_requests r SET updated_at = %(now)s, lease_until = NULL
FROM lost WHERE r.request_id = lost.request_id
RETURNING {RECORD}, NULL::jsonb
"""

# One statement: a concurrent worker's transition waits for the row lock and then
# finds the request final (READ COMMITTED re-checks the WHERE after the wait).
CANCEL = """
UPDATE route_requests
SET status = 'failed', error = %(error)s, updated_at = %(at)s, finished_at = %(at)s,
    lease_until = NULL
WHERE request_id = %(request_id)s AND status = ANY(%(from_statuses)s)
RETURNING request_id, status, progress, error, updated_at
"""

# route_requests_user_idx (user_id, created_at DESC) serves the order and the page.
HISTORY = f"""SELECT {RECORD}, NULL::jsonb
FROM route_requests r
WHERE r.user_id = %(user_id)s AND r.expires_at > %(now)s
  AND (%(after_at)s::timestamptz IS NULL
       OR (r.created_at, r.request_id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY r.created_at DESC, r.request_id DESC
LIMIT %(limit)s
"""
