"""Use case: a worker computes one route request — status, cache, engine, result, at most once."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from wildside.domain.cancellation import JobCancelledError
from wildside.domain.errors import JobTimeoutError, WildsideError
from wildside.domain.job_lease import LeasePolicy
from wildside.domain.route_candidate import RouteCandidate, TourSketch, is_candidate_due
from wildside.domain.route_result import RouteResult, route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import TIMEOUT_ERROR, RouteStatus, StatusUpdate
from wildside.domain.tour import Tour
from wildside.ports.clock import Clock
from wildside.ports.jitter import Jitter
from wildside.ports.metrics import Metrics
from wildside.ports.product_analytics import (
    ROUTE_COMPUTED,
    ROUTE_GENERATION_FAILED,
    NullProductAnalytics,
    ProductAnalytics,
)
from wildside.ports.route_cache import RouteCache
from wildside.ports.route_job_queue import ROUTE_QUEUE, GenerateRouteJob
from wildside.ports.route_request_store import RouteRequestStore
from wildside.ports.status_publisher import StatusPublisher
from wildside.ports.tracer import NullTracer, Tracer

log = logging.getLogger(__name__)

# Progress: the engine's stages before the solver take the first tenth; the
# solver's own percent fills the rest up to 95; storing the result ends at 100.
_SOLVER_FROM, _SOLVER_TO = 10, 95


class TourPlanner(Protocol):
    """What the worker needs of the engine (``PlanTour`` provides it)."""

    def data_version(self) -> str:
        """The map data version tours are computed on."""
        ...

    def __call__(
        self,
        request: RouteSpec,
        progress: Any = None,
        data_version: str | None = None,
        on_candidate: Callable[[TourSketch], object] | None = None,
    ) -> Tour:
        """Plan one tour, reporting ``progress(percent, best_score)``; ``True`` stops the search.

        ``on_candidate`` sees a sketch of each better tour found on the way.
        """
        ...


class JobOutcome(enum.StrEnum):
    """How one delivery of a job ended (also the ``outcome`` metric label)."""

    SUCCEEDED = "succeeded"
    CACHE_HIT = "cache_hit"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"  # the user cancelled the request while this job ran
    SKIPPED = "skipped"  # already final (a redelivery) or unknown (expired)


@dataclass(frozen=True, slots=True, kw_only=True)
class GenerationSettings:
    """Job knobs (see ``docs/operations.md``).

    The first three come from settings (the composition root's
    ``generation_settings``) and have no default here; the last two are
    tuning constants, not settings, and keep theirs.
    """

    time_limit_s: float
    cache_ttl_s: int
    lease: LeasePolicy  # ours while renewed
    cache_ttl_jitter: float = 0.10  # ±10 %: cached tours do not all expire together
    progress_step: int = 5  # publish progress only when it moved this many points
    # Better tours go to followers at once, then at most one per this many seconds.
    candidate_interval_s: float = 1.0


class GenerateRoute:
    """Runs one ``GenerateRouteJob``; safe to run again for the same job."""

    def __init__(
        self,
        *,
        store: RouteRequestStore,
        planner: TourPlanner,
        cache: RouteCache,
        publisher: StatusPublisher,
        metrics: Metrics,
        clock: Clock,
        jitter: Jitter,
        settings: GenerationSettings,
        enrichment: Callable[[RouteSpec, int], object] | None = None,
        tracer: Tracer | None = None,
        analytics: ProductAnalytics | None = None,
    ) -> None:
        self._analytics = analytics or NullProductAnalytics()
        self._enrichment = enrichment
        self._tracer = tracer or NullTracer()
        self._store = store
        self._planner = planner
        self._cache = cache
        self._publisher = publisher
        self._metrics = metrics
        self._clock = clock
        self._jitter = jitter
        self._settings = settings

    def __call__(self, job: GenerateRouteJob) -> JobOutcome:
        """Compute and store the route; final failures are stored, not raised.

        Retryable errors (a database or cache outage) propagate so the queue
        retries the job; every other failure ends the request as ``failed``.
        The work is one span, a child of the submitting request's span.
        """
        attributes = {"wildside.request_id": job.request_id}
        with self._tracer.span("generate route", parent=job.trace_context, attributes=attributes):
            return self._generate(job)

    def _generate(self, job: GenerateRouteJob) -> JobOutcome:
        began = self._clock.monotonic()
        now = self._clock.now()
        lease_until = self._settings.lease.expiry(now)
        started = self._store.begin_attempt(job.request_id, now, lease_until=lease_until)
        if started is None:
            # A redelivered job whose request is already final (or expired), or
            # a duplicate while another worker holds the request's lease.
            self._metrics.job_finished(ROUTE_QUEUE, JobOutcome.SKIPPED.value, 0.0)
            return JobOutcome.SKIPPED
        self._publish(started)
        try:
            outcome = self._run(job, deadline=began + self._settings.time_limit_s)
        except JobTimeoutError:
            self._fail(job, TIMEOUT_ERROR, reason="timeout")
            outcome = JobOutcome.TIMEOUT
        except JobCancelledError:
            # The cancel ended the request and dropped the lease: nothing to store,
            # and returning (not raising) keeps the queue from retrying the job.
            log.info("the route request was cancelled; the job stops")
            outcome = JobOutcome.CANCELLED
        except WildsideError as exc:
            if exc.is_retryable:
                self._release(job)
                raise
            self._fail(job, exc.message, reason=exc.code)
            outcome = JobOutcome.FAILED
        self._metrics.job_finished(ROUTE_QUEUE, outcome.value, self._clock.monotonic() - began)
        return outcome

    def abandon(self, job: GenerateRouteJob, error: str) -> None:
        """End a job the queue gave up on (retries exhausted, hard time limit) as failed.

        The contract only lets a running request fail, so a request still
        queued is moved to running first. A lease does not protect a request
        from this: the queue has given up on it, whoever holds it.
        """
        reason = "timeout" if error == TIMEOUT_ERROR else "retries-exhausted"
        if not self._fail(job, error, reason=reason):
            started = self._store.begin_attempt(job.request_id, self._clock.now())
            if started is None:
                return  # final already (or held, and then its holder ends it)
            self._publish(started)
            if not self._fail(job, error, reason=reason):
                return
        outcome = JobOutcome.TIMEOUT if error == TIMEOUT_ERROR else JobOutcome.FAILED
        self._metrics.job_finished(ROUTE_QUEUE, outcome.value, 0.0)

    def _release(self, job: GenerateRouteJob) -> None:
        """Drop this worker's lease so the queue's retry may take the request at once."""
        try:
            self._store.set_lease(job.request_id, None)
        except WildsideError as exc:  # the lease lapses by itself; maintenance sends it again
            log.warning("could not release the job lease: %s", exc.code)

    def _run(self, job: GenerateRouteJob, *, deadline: float) -> JobOutcome:
        with self._tracer.span("data version"):
            data_version = self._planner.data_version()
        key = job.spec.cache_key(data_version, now=self._clock.now())
        with self._tracer.span("route cache lookup"):
            cached = self._cached(key)
        outcome = JobOutcome.CACHE_HIT if cached is not None else JobOutcome.SUCCEEDED
        candidates_found: int | None = None  # known only when this job planned the tour
        if cached is None:
            self._check(deadline)
            tour = self._planner(
                job.spec,
                progress=self._progress_reporter(job, deadline),
                data_version=data_version,
                on_candidate=self._candidate_reporter(job),
            )
            self._metrics.route_computed(
                tour.diagnostics.total_seconds, tour.diagnostics.candidates_considered
            )
            candidates_found = tour.diagnostics.candidates_found
            # Past the time limit now, the tour is still worth storing: the solver
            # stopped early (a partial tour) or only the leg paths ran late.
            cached = route_result(tour)
            if not tour.diagnostics.is_partial:  # a later request deserves a full search
                # Kept under the quarter hour it was planned for (a job may cross into the next).
                if tour.start_time is not None:
                    key = job.spec.cache_key(data_version, now=tour.start_time)
                self._store_in_cache(key, cached)
        result = cached.served(is_cache_hit=outcome is JobOutcome.CACHE_HIT)
        done = StatusUpdate(job.request_id, RouteStatus.SUCCEEDED, 100, self._clock.now())
        with self._tracer.span("store result"):
            stored = self._store.transition(done, result=result)
        if stored is None:
            return JobOutcome.SKIPPED  # another delivery finished first: keep its result
        self._publish(stored)
        if self._enrichment is not None and candidates_found is not None:
            # After the result is out: a sparse area gets more POIs for next time.
            self._enrichment(job.spec, candidates_found)
        self._analytics.capture(
            ROUTE_COMPUTED,
            job.user_id,
            {
                "distance_m": result.distance_m,
                "stops": len(result.stops),
                "themes": list(job.spec.themes),
                "duration_s": result.used_s,
                "budget_s": result.budget_s,
                "cache_hit": outcome is JobOutcome.CACHE_HIT,
            },
        )
        return outcome

    def _progress_reporter(self, job: GenerateRouteJob, deadline: float) -> Any:
        last = [0]
        renewed = [self._clock.monotonic()]
        lease = self._settings.lease

        def report(percent: int, best_score: float) -> bool:
            """Between solver slices: ``True`` asks the solver to stop with its best tour."""
            tick = self._clock.monotonic()
            if tick > deadline:
                return True  # time is up: a partial tour beats none
            if lease.should_renew(renewed[0], tick):
                renewed[0] = tick
                if not self._store.set_lease(job.request_id, lease.expiry(self._clock.now())):
                    raise _ended(job)
            overall = _SOLVER_FROM + (_SOLVER_TO - _SOLVER_FROM) * max(0, min(100, percent)) // 100
            if overall - last[0] < self._settings.progress_step:
                return False
            last[0] = overall
            update = StatusUpdate(job.request_id, RouteStatus.RUNNING, overall, self._clock.now())
            stored = self._store.transition(update)
            if stored is None:  # only an ended request refuses progress: it was cancelled
                raise _ended(job)
            self._publish(stored)
            return False

        return report

    def _candidate_reporter(self, job: GenerateRouteJob) -> Callable[[TourSketch], None]:
        sent_at: list[float | None] = [None]
        best = [float("-inf")]
        seq = [0]

        def report(sketch: TourSketch) -> None:
            """A better tour: to followers, if due (first at once, then at most 1/interval)."""
            now = self._clock.monotonic()
            interval = self._settings.candidate_interval_s
            if not is_candidate_due(
                sent_at[0], now, interval, score=sketch.score, best_sent=best[0]
            ):
                return
            sent_at[0], best[0], seq[0] = now, sketch.score, seq[0] + 1
            candidate = RouteCandidate(job.request_id, seq[0], sketch, self._clock.now())
            try:
                self._publisher.publish_candidate(candidate)
            except WildsideError as exc:  # a lost sketch costs nothing: the result follows
                log.warning("candidate publish failed for %s: %s", job.request_id, exc)

        return report

    def _check(self, deadline: float) -> None:
        if self._clock.monotonic() > deadline:
            raise JobTimeoutError(f"the job ran longer than {self._settings.time_limit_s:g} s")

    def _cached(self, key: str) -> RouteResult | None:
        try:
            result = self._cache.get(key)
        except WildsideError as exc:  # a cache outage (or an unreadable entry) costs speed only
            log.warning("route cache read failed: %s", exc)
            result = None
        self._metrics.route_cache_lookup(is_hit=result is not None)
        return result

    def _store_in_cache(self, key: str, result: RouteResult) -> None:
        base = self._settings.cache_ttl_s
        spread = self._settings.cache_ttl_jitter
        ttl = round(base * (1.0 + self._jitter.uniform(-spread, spread)))
        try:
            self._cache.put(key, result, max(1, ttl))
        except WildsideError as exc:
            log.warning("route cache write failed: %s", exc)

    def _fail(self, job: GenerateRouteJob, error: str, *, reason: str) -> bool:
        """End the request as failed; ``False`` if it could not (final, or not running)."""
        now = self._clock.now()
        update = StatusUpdate(job.request_id, RouteStatus.FAILED, 0, now, error=error)
        stored = self._store.transition(update)
        if stored is None:
            return False
        self._publish(stored)
        self._analytics.capture(
            ROUTE_GENERATION_FAILED,
            job.user_id,
            {"reason": reason, "duration_minutes": job.spec.duration_minutes},
        )
        return True

    def _publish(self, update: StatusUpdate) -> None:
        try:
            self._publisher.publish(update)
        except WildsideError as exc:  # followers fall back to polling the stored status
            log.warning("status publish failed for %s: %s", update.request_id, exc)


def _ended(job: GenerateRouteJob) -> JobCancelledError:
    return JobCancelledError(f"route request {job.request_id} ended while its job ran")
