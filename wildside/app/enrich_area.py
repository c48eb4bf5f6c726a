"""Use case: fetch one area's POIs from Overpass, within quotas, breakers and the semaphore."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from wildside.app.ingest_osm_extract import to_poi
from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.enrichment.circuit_breaker import (
    Admission,
    BreakerPolicy,
    BreakerState,
    admit,
    record_failure,
    record_success,
)
from wildside.domain.enrichment.outcome import EnrichmentOutcome
from wildside.domain.enrichment.overpass_query import (
    DEFAULT_MAXSIZE,
    DEFAULT_TIMEOUT_S,
    overpass_query,
)
from wildside.domain.enrichment.quota import QuotaPolicy, quota_day, seconds_until_next_day
from wildside.domain.enrichment.retry import RetryPolicy, backoff_s
from wildside.domain.map_data import PoiRecord
from wildside.ports.call_limiter import CallLimiter
from wildside.ports.circuit_store import CircuitStore
from wildside.ports.clock import Clock
from wildside.ports.enrichment_log import EnrichmentLog, EnrichmentResult
from wildside.ports.enrichment_metrics import EnrichmentMetrics
from wildside.ports.enrichment_quota import EnrichmentQuota, QuotaReservation
from wildside.ports.jitter import Jitter
from wildside.ports.overpass_source import (
    OverpassErrorKind,
    OverpassResponse,
    OverpassSource,
    OverpassSourceError,
)
from wildside.ports.poi_repository import PoiRepository, Provenance
from wildside.ports.sleeper import Sleeper

log = logging.getLogger(__name__)
T = TypeVar("T")

SEMAPHORE = "overpass"
DEFAULT_ENDPOINTS = (
    "https://overpass-api.de/api/interpreter",
    "https://overpass.private.coffee/api/interpreter",
)


@dataclass(frozen=True, slots=True)
class EnrichmentSettings:
    """Every enrichment knob (``docs/operations.md`` lists their settings)."""

    endpoints: tuple[str, ...] = DEFAULT_ENDPOINTS
    quota: QuotaPolicy = field(default_factory=QuotaPolicy)
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    permits: int = 2  # concurrent Overpass calls across every worker
    permit_wait_s: float = 60.0  # how long a call may wait for a permit
    permit_lease_s: float = 240.0  # a holder that died frees its permit after this
    query_timeout_s: int = DEFAULT_TIMEOUT_S
    maxsize: int = DEFAULT_MAXSIZE


@dataclass
class _Attempts:
    count: int = 0
    last: OverpassSourceError | None = None
    bytes_read: int = 0
    endpoint: str | None = None


class EnrichArea:
    """Runs one ``EnrichmentJob``; every ending is logged and counted."""

    def __init__(
        self,
        *,
        source: OverpassSource,
        quota: EnrichmentQuota,
        circuits: CircuitStore,
        limiter: CallLimiter,
        pois: PoiRepository,
        journal: EnrichmentLog,
        metrics: EnrichmentMetrics,
        clock: Clock,
        jitter: Jitter,
        sleeper: Sleeper,
        settings: EnrichmentSettings | None = None,
    ) -> None:
        self._source = source
        self._quota = quota
        self._circuits = circuits
        self._limiter = limiter
        self._pois = pois
        self._journal = journal
        self._metrics = metrics
        self._clock = clock
        self._jitter = jitter
        self._sleeper = sleeper
        self._settings = settings or EnrichmentSettings()

    def __call__(self, job: EnrichmentJob) -> EnrichmentResult:
        """Fetch, upsert, log; outages of our own stores propagate (the queue retries)."""
        record_id = self._journal.start(job, self._clock.now())
        result = self._run(job)
        self._journal.finish(record_id, result, self._clock.now())
        self._metrics.job_finished(result.outcome)
        return result

    def _run(self, job: EnrichmentJob) -> EnrichmentResult:
        s = self._settings
        query = overpass_query(job, timeout_s=s.query_timeout_s, maxsize=s.maxsize)
        tries = _Attempts()
        while tries.count < s.retry.max_attempts:
            reservation = self._reserve()
            if reservation is None:
                return self._ended(EnrichmentOutcome.QUOTA_DENIED, tries, "daily quota used up")
            endpoint = self._admitted_endpoint()
            if endpoint is None:
                self._quota.cancel(reservation)
                if tries.count == 0:
                    return self._ended(
                        EnrichmentOutcome.CIRCUIT_OPEN, tries, "every endpoint's circuit is open"
                    )
                break
            tries.endpoint = endpoint
            try:
                response = self._call(endpoint, query, reservation)
            except OverpassSourceError as error:
                tries.count += 1
                tries.last = error
                tries.bytes_read += error.bytes_read
                if not error.is_retryable:
                    return self._ended(EnrichmentOutcome.FAILED, tries, error.message)
                if tries.count < s.retry.max_attempts:
                    fraction = self._jitter.uniform(0.0, 1.0)
                    self._sleeper.sleep(
                        backoff_s(tries.count, s.retry, fraction, error.retry_after_s)
                    )
                continue
            tries.count += 1
            tries.bytes_read += response.bytes_read
            return self._store(job, endpoint, response, tries)
        last = tries.last
        outcome = (
            EnrichmentOutcome.TIMEOUT
            if last is not None and last.kind is OverpassErrorKind.TIMEOUT
            else EnrichmentOutcome.RETRY_EXHAUSTED
        )
        return self._ended(outcome, tries, last.message if last else "no endpoint available")

    def _reserve(self) -> QuotaReservation | None:
        now = self._clock.now()
        policy = self._settings.quota
        day = quota_day(now)
        reservation = self._quota.reserve(day, policy, seconds_until_next_day(now) + 3600)
        left = self._quota.usage(day).remaining(policy)
        self._metrics.quota_remaining(left.requests, left.bytes)
        return reservation

    def _admitted_endpoint(self) -> str | None:
        """The first endpoint whose breaker lets a call through (fallbacks while it is open)."""
        policy = self._settings.breaker
        for endpoint in self._settings.endpoints:
            now = self._clock.now().timestamp()
            admission = self._breaker(endpoint, _admission(now, policy))
            if admission is not Admission.REJECT:
                return endpoint
        return None

    def _call(self, endpoint: str, query: str, reservation: QuotaReservation) -> OverpassResponse:
        """The HTTP call, and only it, under a global permit."""
        s = self._settings
        waited_from = self._clock.monotonic()
        try:
            permit = self._limiter.acquire(SEMAPHORE, s.permits, s.permit_lease_s, s.permit_wait_s)
        except BaseException:
            self._quota.cancel(reservation)
            raise
        self._metrics.semaphore_wait(self._clock.monotonic() - waited_from)
        if permit is None:
            self._quota.cancel(reservation)
            # Not the endpoint's fault: no breaker accounting.
            raise OverpassSourceError(
                f"no Overpass permit came free within {s.permit_wait_s:g} s",
                kind=OverpassErrorKind.TIMEOUT,
            )
        used = 0
        try:
            response = self._source.fetch(endpoint, query, max_bytes=reservation.bytes)
            used = response.bytes_read
        except OverpassSourceError as error:
            used = error.bytes_read
            self._account(endpoint, _status_label(error), error)
            raise
        finally:
            self._metrics.bytes_fetched(used)
            try:
                self._quota.settle(reservation, used)  # unused bytes go back, whatever happened
            finally:
                self._limiter.release(permit)
        self._account(endpoint, str(response.status), None)
        return response

    def _account(self, endpoint: str, status: str, error: OverpassSourceError | None) -> None:
        self._metrics.overpass_request(endpoint, status)
        now = self._clock.now().timestamp()
        policy = self._settings.breaker
        if error is not None and error.kind.counts_against_endpoint:
            self._breaker(endpoint, lambda state: (record_failure(state, now, policy), None))
        else:  # the server answered: it is up, even if our query was wrong
            self._breaker(endpoint, lambda state: (record_success(state, now), None))

    def _breaker(
        self, endpoint: str, change: Callable[[BreakerState], tuple[BreakerState, T]]
    ) -> T:
        def observed(state: BreakerState) -> tuple[BreakerState, tuple[T, BreakerState]]:
            new, value = change(state)
            return new, (value, new)

        value, new = self._circuits.update(endpoint, observed)
        self._metrics.breaker_state(endpoint, new.status.gauge)
        return value

    def _store(
        self, job: EnrichmentJob, endpoint: str, response: OverpassResponse, tries: _Attempts
    ) -> EnrichmentResult:
        records = [r for r in map(to_poi, response.elements) if r is not None]
        provenance = Provenance(
            source="overpass",
            source_url=endpoint,
            bbox_wkt=job.bbox.wkt(),
            fetched_at=self._clock.now(),
        )
        counts = self._pois.upsert(_unique(records), provenance)
        result = self._ended(EnrichmentOutcome.SUCCEEDED, tries, None)
        return replace(
            result,
            pois_received=len(response.elements),
            pois_inserted=counts.inserted,
            pois_updated=counts.updated,
        )

    def _ended(
        self, outcome: EnrichmentOutcome, tries: _Attempts, error: str | None
    ) -> EnrichmentResult:
        return EnrichmentResult(
            outcome=outcome.value,
            endpoint=tries.endpoint,
            source_url=tries.endpoint,
            attempts=tries.count,
            bytes_read=tries.bytes_read,
            error=error,
        )


def _status_label(error: OverpassSourceError) -> str:
    """The HTTP status when the server said one thing clearly, else the error kind.

    A 200 whose body was malformed or carried a failure remark is not a success.
    """
    if error.status is not None and error.status != 200:
        return str(error.status)
    return error.kind.value


def _admission(
    now: float, policy: BreakerPolicy
) -> Callable[[BreakerState], tuple[BreakerState, Admission]]:
    def change(state: BreakerState) -> tuple[BreakerState, Admission]:
        admission, new = admit(state, now, policy)
        return new, admission

    return change


def _unique(records: list[PoiRecord]) -> list[PoiRecord]:
    """One record per OSM object (Overpass may list an object under several selectors)."""
    seen: dict[tuple[str, int], PoiRecord] = {}
    for record in records:
        seen[(record.element_type, record.osm_id)] = record
    return list(seen.values())
