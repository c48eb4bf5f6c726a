"""Use case: fetch one area's POIs from Overpass, within quotas, breakers and the semaphore."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from wildside.app.ingest_osm_extract import to_poi
from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.enrichment.circuit_breaker import Admission, BreakerPolicy, admit
from wildside.domain.enrichment.outcome import EnrichmentOutcome
from wildside.domain.enrichment.overpass_query import overpass_query
from wildside.domain.enrichment.quota import QuotaPolicy, quota_day, seconds_until_next_day
from wildside.domain.enrichment.retry import RetryPolicy, backoff_s
from wildside.domain.map_data import PoiRecord
from wildside.ports.call_limiter import CallLimiter
from wildside.ports.clock import Clock
from wildside.ports.endpoint_breakers import CircuitOpenError, EndpointBreakers
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

SEMAPHORE = "overpass"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrichmentSettings:
    """Every enrichment knob, all from settings (``docs/operations.md``); no defaults here."""

    endpoints: tuple[str, ...]  # primary first
    quota: QuotaPolicy
    breaker: BreakerPolicy
    retry: RetryPolicy
    permits: int  # concurrent Overpass calls across every worker
    permit_wait_s: float  # how long a call may wait for a permit
    permit_lease_s: float  # a holder that died frees its permit after this
    query_timeout_s: int  # the server's own time limit, asked for in the query
    maxsize: int  # the server's own memory limit, asked for in the query


@dataclass
class _Attempts:
    count: int = 0
    last: OverpassSourceError | None = None
    bytes_read: int = 0
    endpoint: str | None = None
    refused: set[str] = field(default_factory=set)  # lost a probe race: not asked again


class EnrichArea:
    """Runs one ``EnrichmentJob``; every ending is logged and counted."""

    def __init__(
        self,
        *,
        source: OverpassSource,
        quota: EnrichmentQuota,
        breakers: EndpointBreakers,
        limiter: CallLimiter,
        pois: PoiRepository,
        journal: EnrichmentLog,
        metrics: EnrichmentMetrics,
        clock: Clock,
        jitter: Jitter,
        sleeper: Sleeper,
        settings: EnrichmentSettings,
    ) -> None:
        self._source = source
        self._quota = quota
        self._breakers = breakers
        self._limiter = limiter
        self._pois = pois
        self._journal = journal
        self._metrics = metrics
        self._clock = clock
        self._jitter = jitter
        self._sleeper = sleeper
        self._settings = settings

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
            endpoint = self._admitted_endpoint(tries.refused)
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
            except CircuitOpenError:
                # Another worker took the probe between our look and our call.
                tries.refused.add(endpoint)
                continue
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

    def _admitted_endpoint(self, refused: set[str]) -> str | None:
        """The first endpoint whose breaker would let a call through (fallbacks while it is open).

        Only a look (nothing is claimed): the call itself goes through the
        breaker once it holds a permit, so a job never waits for a permit to
        reach an open circuit, and a probe is never claimed by a job that
        then finds no permit.
        """
        policy = self._settings.breaker
        for endpoint in self._settings.endpoints:
            if endpoint in refused:
                continue
            state = self._breakers.state(endpoint)
            admission, _ = admit(state, self._clock.now().timestamp(), policy)
            if admission is not Admission.REJECT:
                return endpoint
            self._metrics.breaker_state(endpoint, state.status.gauge)
        return None

    def _call(self, endpoint: str, query: str, reservation: QuotaReservation) -> OverpassResponse:
        """The HTTP call, and only it, under a global permit and the endpoint's breaker."""
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
        is_called = False
        used = 0
        try:
            with self._breakers.guard(endpoint, s.breaker, _counts_against_endpoint) as call:
                is_called = True
                self._metrics.breaker_state(endpoint, call.state.status.gauge)
                try:
                    response = self._source.fetch(endpoint, query, max_bytes=reservation.bytes)
                except OverpassSourceError as error:
                    used = error.bytes_read
                    self._metrics.overpass_request(endpoint, _status_label(error))
                    raise
                used = response.bytes_read
                self._metrics.overpass_request(endpoint, str(response.status))
        finally:
            try:
                if is_called:
                    self._metrics.breaker_state(endpoint, call.state.status.gauge)
                    self._metrics.bytes_fetched(used)
                    self._quota.settle(reservation, used)  # unused bytes go back, whatever happened
                else:  # the breaker refused (or its store failed): no request went out
                    self._quota.cancel(reservation)
            finally:
                self._limiter.release(permit)
        return response

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


def _counts_against_endpoint(error: BaseException) -> bool:
    """Whether an ending is the endpoint's failure (the breaker's ``is_failure``).

    An Overpass error counts by its kind (5xx, 429, timeouts, connection
    errors do; a 400 for our own query does not: the server answered).
    Anything else that ends a call, a time limit or a bug, counts: nothing
    says the endpoint answered.
    """
    if isinstance(error, OverpassSourceError):
        return error.kind.counts_against_endpoint
    return True


def _unique(records: list[PoiRecord]) -> list[PoiRecord]:
    """One record per OSM object (Overpass may list an object under several selectors)."""
    seen: dict[tuple[str, int], PoiRecord] = {}
    for record in records:
        seen[(record.element_type, record.osm_id)] = record
    return list(seen.values())
