"""Build the Dramatiq Redis broker both sides share (API processes send, workers consume)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis, dq_name
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from adapters import log_context
from wildside.domain.errors import UnavailableError
from wildside.ports.route_job_queue import JobQueueError

# Redis key prefix of the broker. Each queue's keys carry its name under it
# (`dramatiq:route_generation`, `.msgs`, `.DQ`, `.XQ`; `dramatiq:enrichment`, ...):
# Dramatiq's per-queue namespace, the seed's `route_generation` and `enrichment`
# (decision log: "Redis roles"). Kept as it was, so no deploy strands messages.
NAMESPACE = "dramatiq"


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    """Queue knobs; see ``docs/operations.md``.

    The first three come from settings and have no default here; the
    dead-letter retention is a constant, not a setting.
    """

    redis_url: str
    heartbeat_timeout_ms: int  # a silent worker's messages go back after this
    maintenance_chance: int  # per million commands: how often dead workers are swept
    dead_message_ttl_ms: int = 7 * 86_400_000  # how long the dead-letter queue keeps messages


class JobLogContext(dramatiq.Middleware):
    """Names the job (``job_id``) on every line logged while a message is processed.

    The actors bind the id themselves, but Dramatiq's own middleware logs
    after the actor has returned ("Retrying message … in N milliseconds"), so
    the binding spans the whole of a message's processing in the worker
    thread, hooks included.
    """

    def __init__(self) -> None:
        self._bound = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        """Bind the message's id for this worker thread."""
        self._bound.token = log_context.job_id.set(message.message_id)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        """Unbind once every other middleware is done with the message."""
        self._unbind()

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        """A skipped message is done too."""
        self._unbind()

    def _unbind(self) -> None:
        token = getattr(self._bound, "token", None)
        if token is not None:
            self._bound.token = None
            log_context.job_id.reset(token)


def build_broker(settings: BrokerSettings) -> dramatiq.Broker:
    """A Redis broker with Dramatiq's standard middleware (retries, time limits, ...).

    Nothing connects until the first command. Messages that exhaust their
    retries land in the queue's dead-letter set (``dramatiq:<queue>.XQ``).
    """
    return RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.redis_url,
        namespace=NAMESPACE,
        heartbeat_timeout=settings.heartbeat_timeout_ms,
        dead_message_ttl=settings.dead_message_ttl_ms,
        maintenance_chance=settings.maintenance_chance,
        middleware=[
            JobLogContext(),  # first: it binds before the others run and resets after them
            AgeLimit(),
            TimeLimit(),
            ShutdownNotifications(),
            Callbacks(),
            Pipelines(),
            Retries(),
            CurrentMessage(),
        ],
    )


def sweep_dead_workers(broker: dramatiq.Broker, queues: Iterable[str]) -> None:
    """Put dead workers' unacknowledged messages of ``queues`` back, now; heartbeat this one.

    Dramatiq's Redis broker does this only in a random maintenance pass (by
    default one broker command in a thousand), so on a quiet system a killed
    worker's prefetched jobs could wait many minutes. Its dispatch script runs
    the same pass when asked to; ``requeue`` with no message ids is a no-op
    command that carries the request (and, as every command, refreshes this
    process's heartbeat). The script's arguments are Dramatiq 2.x's (pinned).
    """
    if not isinstance(broker, RedisBroker):
        return
    dispatch = broker.scripts["dispatch"]
    try:
        # Retries wait in the delay queue, which a worker prefetches too.
        for queue in [name for q in queues for name in (q, dq_name(q))]:
            args = [
                "requeue",
                current_millis(),
                queue,
                broker.broker_id,
                broker.heartbeat_timeout,
                broker.dead_message_ttl,
                1,  # do the maintenance pass
                broker._max_unpack_size(),  # type: ignore[no-untyped-call]  # Dramatiq's own cap
            ]
            dispatch(args=args, keys=[broker.namespace])
    except redis.exceptions.RedisError as exc:
        raise UnavailableError("the job queue is unreachable", service="redis") from exc


def queue_key(queue: str) -> str:
    """The Redis list holding ``queue``'s ready messages."""
    return f"{NAMESPACE}:{queue}"


def messages_key(queue: str, *, is_delayed: bool = False) -> str:
    """The Redis hash holding every unacknowledged message of ``queue`` (ready or reserved).

    ``is_delayed`` names its delay queue's hash instead (retries waiting out a
    backoff): Dramatiq keeps that queue as ``<queue>.DQ`` in the same namespace.
    """
    return f"{queue_key(queue)}{'.DQ' if is_delayed else ''}.msgs"


def dead_letter_key(queue: str) -> str:
    """The Redis sorted set holding ``queue``'s dead messages."""
    return f"{NAMESPACE}:{queue}.XQ"


def send(broker: dramatiq.Broker, queue: str, actor: str, document: dict[str, Any]) -> None:
    """Enqueue ``actor(document)`` by name; Redis errors become Wildside errors."""
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=queue, actor_name=actor, args=(document,), kwargs={}, options={}
    )
    try:
        broker.enqueue(message)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise UnavailableError(f"the job queue is unreachable: {exc}", service="redis") from exc
    except redis.exceptions.RedisError as exc:
        raise JobQueueError(f"the job queue refused the job: {exc}") from exc
