"""The worker process: Dramatiq's worker threads, a maintenance timer, clean shutdown on signals."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import dramatiq

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """Process knobs; see ``docs/operations.md``.

    ``threads`` and ``maintenance_interval_s`` come from settings and have no
    default here; the shutdown timeout is a constant, not a setting.
    """

    queues: frozenset[str]
    threads: int
    maintenance_interval_s: float
    shutdown_timeout_ms: int = 30_000  # running jobs may finish for this long after a stop


def run_worker(
    broker: dramatiq.Broker,
    options: WorkerOptions,
    maintenance: Callable[[], object],
    *,
    stop: threading.Event | None = None,
) -> int:
    """Consume until SIGINT/SIGTERM (or ``stop`` is set); return the exit status.

    Maintenance (expired results, lost jobs) runs in this process on a timer:
    it is idempotent, so every worker doing it is harmless and needs no
    scheduler. A stop lets running jobs finish for up to the shutdown timeout;
    an unacknowledged job of a killed worker goes back to the queue. The caller
    owns (and closes) the broker.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    broker.emit_after("process_boot")  # starts the time-limit monitor, as Dramatiq's CLI does
    worker = dramatiq.Worker(broker, queues=set(options.queues), worker_threads=options.threads)
    worker.start()
    log.info("worker consuming %s with %d threads", sorted(options.queues), options.threads)
    try:
        # At once, then on the timer: a worker restarted after a crash brings
        # its dead predecessor's jobs back without waiting a whole interval.
        _maintain(maintenance)
        while not stop.wait(options.maintenance_interval_s):
            _maintain(maintenance)
    finally:
        log.info("worker stopping")
        # Unacknowledged prefetched messages go back to their queues here; the
        # broker itself is closed by its owner (Dramatiq has no process_stop hook).
        worker.stop(timeout=options.shutdown_timeout_ms)
    return 0


def _maintain(maintenance: Callable[[], object]) -> None:
    try:
        # Every few seconds: the use case itself says when it did something.
        log.debug("maintenance: %s", maintenance())
    except Exception:
        # Upkeep must never take the worker down; the next tick tries again.
        log.exception("maintenance failed")
