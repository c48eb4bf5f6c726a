"""Route job queue port: hand a route request to the background workers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from wildside.domain.errors import InvalidInputError, WildsideError
from wildside.domain.route_spec import RouteSpec

ROUTE_QUEUE = "route_generation"
ROUTE_JOB = "generate_route"  # the actor that consumes route jobs


@dataclass(frozen=True, slots=True)
class GenerateRouteJob:
    """Everything a worker needs to compute one request (the seed's ``GenerateRouteJob``)."""

    request_id: str
    user_id: str
    spec: RouteSpec
    idempotency_key: str | None = None
    # W3C trace context (``traceparent``...) so the worker continues the request's trace.
    trace_context: Mapping[str, str] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        """Plain data for a message body."""
        return {
            "request_id": self.request_id,
            "user_id": self.user_id,
            "idempotency_key": self.idempotency_key,
            "spec": self.spec.to_document(),
            "trace_context": dict(self.trace_context),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> GenerateRouteJob:
        """Inverse of :meth:`to_document`; ``InvalidInputError`` on a malformed message."""
        try:
            return cls(
                request_id=str(document["request_id"]),
                user_id=str(document["user_id"]),
                idempotency_key=document.get("idempotency_key"),
                spec=RouteSpec.from_document(document["spec"]),
                trace_context=dict(document.get("trace_context") or {}),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise InvalidInputError(f"malformed route job: {exc}") from exc


class JobQueueError(WildsideError):
    """The queue refused or could not take the job."""

    code = "job-queue-error"
    is_retryable = True


class RouteJobQueue(Protocol):
    """Enqueues route jobs; delivery is at least once."""

    def enqueue(self, job: GenerateRouteJob) -> None:
        """Queue ``job`` on the ``route_generation`` queue."""
        ...
