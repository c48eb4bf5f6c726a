"""The Dramatiq actors: decode a job, call one use case, let the broker retry outages only."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Protocol

import dramatiq
from dramatiq.middleware import Retries
from dramatiq.middleware.time_limit import TimeLimitExceeded

from adapters import log_context
from adapters.inbound.worker.monitor import (
    SUCCEEDED,
    Failure,
    JobEnding,
    JobMonitor,
    JobTelemetry,
    NullJobTelemetry,
)
from wildside.app.generate_route import JobOutcome
from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.enrichment.outcome import EnrichmentOutcome
from wildside.domain.errors import InvalidInputError, JobTimeoutError, WildsideError
from wildside.domain.job_lease import gave_up_message
from wildside.domain.route_status import TIMEOUT_ERROR
from wildside.ports.enrichment_job_queue import ENRICHMENT_JOB, ENRICHMENT_QUEUE
from wildside.ports.enrichment_log import EnrichmentResult
from wildside.ports.product_analytics import anonymous_id
from wildside.ports.route_job_queue import ROUTE_JOB, ROUTE_QUEUE, GenerateRouteJob

EXHAUSTED_JOB = "route_job_exhausted"


class JobHandlers(Protocol):
    """What the actors call (the composition root provides the use cases)."""

    def generate_route(self, job: GenerateRouteJob) -> JobOutcome:
        """Run one route job (``GenerateRoute``)."""
        ...

    def route_failure_code(self) -> str | None:
        """The code of the error that ended this thread's last route job, then forget it."""
        ...

    def abandon_route(self, job: GenerateRouteJob, error: str) -> None:
        """End a job the queue gave up on as failed (``GenerateRoute.abandon``)."""
        ...

    def enrich(self, job: EnrichmentJob) -> object:
        """Run one enrichment job (``EnrichArea``)."""
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff (Dramatiq adds jitter), then the dead-letter queue.

    Every field comes from settings (the composition root's
    ``route_job_retry_policy``); none has a default here.
    """

    max_retries: int
    min_backoff_ms: int
    max_backoff_ms: int
    # The use case stops itself at its own limit; this hard limit (Dramatiq
    # interrupts the thread) only catches code that never returns to Python.
    hard_time_limit_ms: int


def should_retry(retries: int, exception: BaseException, *, max_retries: int) -> bool:
    """Dramatiq's ``retry_when``: retry only what another attempt could fix.

    A ``WildsideError`` says so itself (``is_retryable``: an outage yes, a
    request whose end is out of reach no). Of other exceptions only operating
    system errors (a connection reset, a timeout) and an explicit
    ``dramatiq.Retry`` are worth another attempt; anything else is a bug that
    would fail the same way again. ``retries`` counts the earlier retries.
    Dramatiq lets ``retry_when`` override ``max_retries``, so the cap is here.

    Examples
    --------
    >>> from wildside.domain.errors import InvalidInputError, UnavailableError
    >>> should_retry(0, UnavailableError("down", service="redis"), max_retries=3)
    True
    >>> should_retry(3, UnavailableError("down", service="redis"), max_retries=3)
    False
    >>> should_retry(0, InvalidInputError("the end is out of reach"), max_retries=3)
    False
    >>> should_retry(0, KeyError("bug"), max_retries=3)
    False
    """
    if retries >= max_retries:
        return False
    if isinstance(exception, WildsideError):
        return exception.is_retryable
    return isinstance(exception, OSError | dramatiq.Retry)


def declare_actors(
    broker: dramatiq.Broker,
    handlers: JobHandlers,
    policy: RetryPolicy,
    enrichment_time_limit_ms: int,
    telemetry: JobTelemetry | None = None,
) -> list[dramatiq.Actor[Any, Any]]:
    """Register the route and enrichment actors on ``broker``; nothing happens at import.

    ``enrichment_time_limit_ms`` is the hard limit of one enrichment job,
    derived from the Overpass settings by the composition root. The broker
    also gets a ``JobMonitor`` (before ``Retries``): it counts every delivery
    on ``telemetry`` and logs each failed one; the actors tell it how their
    use case ended the job.
    """
    retry_when = functools.partial(should_retry, max_retries=policy.max_retries)
    monitor = JobMonitor(telemetry or NullJobTelemetry())
    broker.add_middleware(monitor, before=Retries)

    def enrich_area(document: dict[str, Any]) -> None:
        try:
            job = EnrichmentJob.from_document(document)
        except InvalidInputError as exc:
            monitor.note(JobEnding(Failure.FAILED, exc.code))  # dropped; the monitor logs it
            return
        # The broker's JobLogContext middleware names the job on every line.
        result = handlers.enrich(job)  # Overpass failures end the job; store outages raise: retry
        if isinstance(result, EnrichmentResult):
            monitor.note(enrichment_ending(result.outcome))

    def generate_route(document: dict[str, Any]) -> None:
        job = _decode(document, monitor)
        if job is None:
            return  # a message no retry can fix: drop it (the monitor logs it)
        with log_context.bound(request=job.request_id, user_hash=anonymous_id(job.user_id)):
            try:
                outcome = handlers.generate_route(job)
            except TimeLimitExceeded:
                handlers.abandon_route(job, TIMEOUT_ERROR)
                outcome = JobOutcome.TIMEOUT
            finally:
                code = handlers.route_failure_code()  # taken every time: none is left over
        monitor.note(route_ending(outcome, code))

    def route_job_exhausted(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
        args = message.get("args") or [{}]
        job = _decode(args[0], monitor)
        if job is not None:
            attempts = int(retry_info.get("retries", 0)) + 1
            handlers.abandon_route(job, gave_up_message(attempts))

    return [
        dramatiq.actor(
            actor_name=ROUTE_JOB,
            queue_name=ROUTE_QUEUE,
            broker=broker,
            max_retries=policy.max_retries,
            retry_when=retry_when,
            min_backoff=policy.min_backoff_ms,
            max_backoff=policy.max_backoff_ms,
            time_limit=policy.hard_time_limit_ms,
            on_retry_exhausted=EXHAUSTED_JOB,
        )(generate_route),
        dramatiq.actor(
            actor_name=EXHAUSTED_JOB,
            queue_name=ROUTE_QUEUE,
            broker=broker,
            max_retries=policy.max_retries,
            retry_when=retry_when,
            min_backoff=policy.min_backoff_ms,
            max_backoff=policy.max_backoff_ms,
        )(route_job_exhausted),
        dramatiq.actor(
            actor_name=ENRICHMENT_JOB,
            queue_name=ENRICHMENT_QUEUE,
            broker=broker,
            max_retries=policy.max_retries,
            retry_when=retry_when,
            min_backoff=policy.min_backoff_ms,
            max_backoff=policy.max_backoff_ms,
            time_limit=enrichment_time_limit_ms,
        )(enrich_area),
    ]


def route_ending(outcome: JobOutcome, code: str | None) -> JobEnding:
    """How a route job's outcome counts; ``code`` is the error that failed it, if known.

    Examples
    --------
    >>> route_ending(JobOutcome.FAILED, "no-walking-network")
    JobEnding(failure=<Failure.FAILED: 'failed'>, error_code='no-walking-network')
    >>> route_ending(JobOutcome.TIMEOUT, None).error_code
    'timeout'
    >>> route_ending(JobOutcome.CACHE_HIT, None) == SUCCEEDED
    True
    """
    if outcome is JobOutcome.TIMEOUT:
        return JobEnding(Failure.TIMED_OUT, JobTimeoutError.code)
    if outcome is JobOutcome.FAILED:
        return JobEnding(Failure.FAILED, code or "route-failed")
    return SUCCEEDED  # succeeded, a cache hit, or a redelivery with nothing left to do


def enrichment_ending(outcome: str) -> JobEnding:
    """How an enrichment outcome counts: every ending but ``succeeded`` is a failure.

    Examples
    --------
    >>> enrichment_ending("quota_denied")
    JobEnding(failure=<Failure.FAILED: 'failed'>, error_code='overpass-quota-denied')
    >>> enrichment_ending("timeout").failure
    <Failure.TIMED_OUT: 'timed-out'>
    """
    if outcome == EnrichmentOutcome.SUCCEEDED:
        return SUCCEEDED
    kind = Failure.TIMED_OUT if outcome == EnrichmentOutcome.TIMEOUT else Failure.FAILED
    return JobEnding(kind, "overpass-" + outcome.replace("_", "-"))


def _decode(document: Any, monitor: JobMonitor) -> GenerateRouteJob | None:
    try:
        return GenerateRouteJob.from_document(document)
    except InvalidInputError as exc:
        monitor.note(JobEnding(Failure.FAILED, exc.code))  # its message may quote the document
        return None
