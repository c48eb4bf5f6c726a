"""Job telemetry and failure lines: one Dramatiq middleware sees every delivery of both queues."""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import dramatiq
from dramatiq.common import q_name
from dramatiq.middleware.time_limit import TimeLimitExceeded

from adapters.log_format import fields
from wildside.domain.errors import WildsideError

log = logging.getLogger(__name__)


class JobTelemetry(Protocol):
    """What the worker counts per delivery (``PrometheusMetrics`` provides it)."""

    def job_started(self, queue: str, job_type: str) -> None:
        """A delivery of ``job_type`` began (one more in flight)."""
        ...

    def job_ended(self, queue: str, job_type: str, ending: str, seconds: float) -> None:
        """A delivery ended ``succeeded``, ``failed`` or ``retried`` after ``seconds``."""
        ...


class NullJobTelemetry:
    """A ``JobTelemetry`` that counts nothing (the failure lines are still written)."""

    def job_started(self, queue: str, job_type: str) -> None:
        """Ignore."""

    def job_ended(self, queue: str, job_type: str, ending: str, seconds: float) -> None:
        """Ignore."""


class Failure(enum.StrEnum):
    """How a delivery failed: the ``failure`` field of its log line."""

    FAILED = "failed"  # the use case ended the job failed (stored, final)
    TIMED_OUT = "timed-out"  # the use case ended the job at its time limit (stored, final)
    RETRIED = "retried"  # it raised; Dramatiq runs it again after a backoff
    DEAD_LETTERED = "dead-lettered"  # it raised and may not run again: the dead-letter set


@dataclass(frozen=True, slots=True)
class JobEnding:
    """How a use case ended a delivery that raised nothing (the actor reports it)."""

    failure: Failure | None = None  # FAILED or TIMED_OUT; None when the job did its work
    error_code: str | None = None


SUCCEEDED = JobEnding()


class JobMonitor(dramatiq.Middleware):
    """Counts and times every delivery, and logs each failed one once.

    It must sit before ``Retries`` in the broker's list: Dramatiq runs the
    ``after`` hooks in reverse, so by the time this one runs ``Retries`` has
    counted the attempt and either re-enqueued the message or failed it (the
    dead-letter set). A delivery that raised nothing failed only if its actor
    said so (``note``), from the outcome its use case returned.
    """

    def __init__(self, telemetry: JobTelemetry) -> None:
        self._telemetry = telemetry
        self._local = threading.local()  # each worker thread runs one message at a time

    def note(self, ending: JobEnding) -> None:
        """Called by an actor: how the use case ended this thread's current message."""
        self._local.ending = ending

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        """Start the clock; one more job in flight."""
        self._local.ending = None
        self._local.started = time.perf_counter()
        self._telemetry.job_started(q_name(message.queue_name), message.actor_name)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        """Count the delivery, observe its time, log it if it failed."""
        started = getattr(self._local, "started", None)
        ending: JobEnding | None = getattr(self._local, "ending", None)
        self._local.started = self._local.ending = None
        if started is None:
            return  # our ``before`` hook did not run for this message
        queue, job_type = q_name(message.queue_name), message.actor_name
        retries = int(message.options.get("retries", 0))
        failure: Failure | None
        if exception is not None:
            # ``Retries`` has already counted this attempt (and decided its fate).
            failure = Failure.DEAD_LETTERED if message.failed else Failure.RETRIED
            code, attempt = error_code(exception), max(retries, 1)
        else:
            failure = ending.failure if ending is not None else None
            code, attempt = (ending.error_code if ending else None) or "failed", retries + 1
        seconds = time.perf_counter() - started
        if failure is not None:  # the line first: once a job is counted, its line is out
            level = logging.ERROR if failure is Failure.DEAD_LETTERED else logging.WARNING
            log.log(
                level,
                "job %s: %s",
                failure.value,
                code,
                extra=fields(
                    job_id=message.message_id,
                    queue=queue,
                    job_type=job_type,
                    failure=failure.value,
                    error_code=code,
                    attempt=attempt,
                ),
            )
        counted = "succeeded" if failure is None else _COUNTED_AS[failure]
        self._telemetry.job_ended(queue, job_type, counted, seconds)


_COUNTED_AS = {
    Failure.FAILED: "failed",
    Failure.TIMED_OUT: "failed",
    Failure.DEAD_LETTERED: "failed",
    Failure.RETRIED: "retried",  # not final: the job is counted again when it ends
}


def error_code(exception: BaseException) -> str:
    """A stable code for an exception: never its message (which may hold personal data).

    Examples
    --------
    >>> from wildside.domain.errors import UnavailableError
    >>> error_code(UnavailableError("down", service="postgresql"))
    'service-unavailable'
    >>> error_code(TimeLimitExceeded())
    'timeout'
    >>> error_code(ConnectionResetError("reset"))
    'ConnectionResetError'
    """
    if isinstance(exception, WildsideError):
        return exception.code
    if isinstance(exception, TimeLimitExceeded):
        return "timeout"
    return type(exception).__name__
