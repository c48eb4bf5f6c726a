"""Every metric name and label set Wildside exports, in one place (see docs/operations.md)."""

from __future__ import annotations

# HTTP (API processes). ``path`` is the route template, never the raw URL.
HTTP_REQUESTS = "http_requests_total"  # labels: path, method, status
HTTP_DURATION = "http_request_duration_seconds"  # labels: path, method
# WebSocket (API processes).
WS_CONNECTIONS = "websocket_connections"  # gauge, no labels
WS_MESSAGES = "websocket_messages_total"  # labels: direction (sent | received)
# Jobs (worker processes).
JOBS = "wildside_jobs_total"  # labels: queue, outcome (each queue's use case outcome)
JOB_DURATION = "wildside_job_duration_seconds"  # labels: queue, job_type (every delivery)
JOBS_SUCCEEDED = "jobs_success_total"  # labels: queue, job_type (the seed's name)
JOBS_FAILED = "jobs_failed_total"  # labels: queue, job_type (the seed's name; final failures)
JOBS_RETRIED = "wildside_jobs_retried_total"  # labels: queue, job_type (raised, runs again)
JOBS_IN_FLIGHT = "wildside_jobs_in_flight"  # labels: queue, job_type (this worker, now)
QUEUE_DEPTH = "wildside_queue_depth"  # labels: queue (ready messages, read at scrape)
QUEUE_LENGTH = "wildside_queue_length"  # labels: queue (ready + delayed + reserved, at scrape)
QUEUE_DEAD = "wildside_queue_dead_letters"  # labels: queue (dead-letter set size)
# PostgreSQL (API and worker processes): the pool, read at scrape, and each operation.
DB_POOL_SIZE = "wildside_db_pool_connections"  # open connections (in use or idle)
DB_POOL_MAX = "wildside_db_pool_max_connections"  # the pool's cap
DB_POOL_IN_USE = "wildside_db_pool_in_use"  # connections lent out
DB_POOL_WAITING = "wildside_db_pool_waiting"  # callers waiting for a connection
DB_QUERY_DURATION = "wildside_db_query_duration_seconds"  # labels: family (adapter operation)
DB_SLOW_QUERIES = "wildside_db_slow_queries_total"  # labels: family (over the threshold)
# Engine and cache (worker processes).
ENGINE_DURATION = "wildside_engine_route_duration_seconds"
ENGINE_POIS = "wildside_engine_pois_considered"
CACHE_HITS = "cache_route_lookup_hits_total"
CACHE_MISSES = "cache_route_lookup_misses_total"

UNMATCHED_PATH = "<unmatched>"  # the path label of requests no route matched (bounded labels)
# Overpass enrichment (worker processes).
ENRICHMENT_JOBS = "wildside_enrichment_jobs_total"  # labels: outcome (also in JOBS)
OVERPASS_REQUESTS = "wildside_overpass_requests_total"  # labels: endpoint, status
OVERPASS_BYTES = "wildside_overpass_bytes_total"
OVERPASS_BREAKER = (
    "wildside_overpass_breaker_state"  # labels: endpoint; 0 closed, 1 half-open, 2 open
)
OVERPASS_SEMAPHORE_WAIT = "wildside_overpass_semaphore_wait_seconds"
OVERPASS_QUOTA_REMAINING = "wildside_overpass_quota_remaining"  # labels: kind (requests | bytes)
