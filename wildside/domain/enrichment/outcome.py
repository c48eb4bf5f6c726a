"""How an enrichment job ends (also the ``outcome`` label of its metric)."""

from __future__ import annotations

import enum


class EnrichmentOutcome(enum.StrEnum):
    """Every way a job can end; each is counted."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a non-retryable error (4xx, malformed or oversized body)
    QUOTA_DENIED = "quota_denied"  # the daily request or byte quota is used up: no call made
    CIRCUIT_OPEN = "circuit_open"  # every endpoint's breaker is open: no call made
    TIMEOUT = "timeout"  # the last attempt timed out
    RETRY_EXHAUSTED = "retry_exhausted"  # every attempt met a retryable error
