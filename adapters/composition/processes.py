"""Long-running processes: ``wildside serve`` (uvicorn) and ``wildside worker`` (Dramatiq)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from prometheus_client import start_http_server

from adapters.composition.enrichment import enrichment_trigger, open_enrichment
from adapters.composition.observability import database_watched
from adapters.composition.policies import (
    enrichment_time_limit_ms,
    http_settings,
    route_job_retry_policy,
    worker_options,
)
from adapters.composition.service import (
    open_http_services,
    open_resources,
    product_analytics,
    worker_services,
)
from adapters.inbound.http.app import create_app
from adapters.inbound.http.edge import Edge
from adapters.inbound.worker.actors import declare_actors
from adapters.inbound.worker.process import run_worker
from adapters.log_format import configure_logging, flush_logging, log_uncaught
from adapters.outbound.dramatiq.queue_depth import depth_reader
from adapters.outbound.otel.setup import configure_tracing, shutdown_tracing
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from adapters.settings import Settings
from wildside.domain.errors import WildsideError
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.route_job_queue import ROUTE_QUEUE

WS_MAX_MESSAGE_BYTES = 64 * 1024  # client messages are tiny subscriptions

log = logging.getLogger(__name__)


def build_http_app(settings: Settings, metrics: PrometheusMetrics | None = None) -> Edge:
    """The API's ASGI app (services open in its lifespan)."""
    metrics = metrics or PrometheusMetrics()
    settings.require_database_url()
    settings.require_redis_url()
    return create_app(
        lambda: open_http_services(settings, metrics), http_settings(settings), metrics
    )


@contextmanager
def observed(settings: Settings, role: str) -> Iterator[None]:
    """Logs and traces for one long-running process; spans still buffered are flushed on exit.

    Logging comes first, so that a failure further on is reported in the
    configured format: a Wildside error (a bad setting, a server that cannot
    be reached) as one line here (the command line also prints it), anything
    else by the uncaught-exception hook, which stays installed for it.
    """
    choice = {"auto": None, "json": True, "human": False}[settings.log_format]
    configure_logging(settings.log_level, json_lines=choice)
    restore_hooks = log_uncaught()
    crashed = False
    try:
        configure_tracing(
            settings.otel_exporter,
            service=f"{settings.otel_service_name}-{role}",
            endpoint=settings.otel_endpoint,
        )
        try:
            yield
        finally:
            shutdown_tracing()
    except WildsideError as exc:
        log.critical("%s cannot run: %s", role, exc.message)
        raise
    except Exception:
        crashed = True  # it reaches the top: sys.excepthook logs it with its traceback
        raise
    finally:
        log.info("%s stopped", role)
        flush_logging()
        if not crashed:
            restore_hooks()


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the API until SIGINT/SIGTERM; uvicorn drains connections on the way out."""
    with observed(settings, "api"):
        app = build_http_app(settings)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                lifespan="on",
                ws_max_size=WS_MAX_MESSAGE_BYTES,
                timeout_graceful_shutdown=10,
                log_config=None,  # our handler (JSON lines) for uvicorn's loggers too
                log_level=settings.log_level.lower(),
                access_log=False,  # every request is in http_requests_total
            )
        )
        with _signals_return(server):
            server.run()
        return 0 if server.started else 1


@contextmanager
def _signals_return(server: uvicorn.Server) -> Iterator[None]:
    """Let ``serve`` return after uvicorn's graceful shutdown instead of dying by the signal.

    Once it has drained, uvicorn raises the SIGTERM/SIGINT it caught again,
    with the handler that was installed before it started. Python's default
    SIGTERM handler ends the process on the spot: no ``finally`` runs, so the
    last log lines and spans were lost, and SIGINT printed a bare
    ``KeyboardInterrupt`` traceback. A handler that only notes the signal lets
    ``serve`` return; the process then exits normally. A signal that comes
    before uvicorn has installed its own handlers asks the server to stop.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(number: int, _frame: object) -> None:
        caught.append(number)
        server.should_exit = True

    previous = {number: signal.signal(number, note) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            log.info("stopped by %s", signal.Signals(caught[0]).name)


def work(settings: Settings) -> int:
    """Run a worker: warm kernels (no graph is loaded at boot), consume until a signal."""
    metrics = PrometheusMetrics()
    threads = settings.worker_threads
    with (
        observed(settings, "worker"),
        open_resources(settings, pool_size=threads + 2) as resources,
        database_watched(resources.pool, metrics, settings),
        open_enrichment(resources, metrics) as enrich_area,
        product_analytics(settings) as analytics,
    ):
        services = worker_services(
            resources,
            metrics,
            enrich_area=enrich_area,
            enrichment=enrichment_trigger(resources),
            analytics=analytics,
        )
        metrics.watch_queues(
            depth_reader(settings.require_queue_redis_url(), [ROUTE_QUEUE, ENRICHMENT_QUEUE])
        )
        metrics_server, metrics_thread = start_http_server(
            settings.worker_metrics_port, addr="0.0.0.0", registry=metrics.registry
        )
        actors = declare_actors(
            resources.broker,
            services,
            route_job_retry_policy(settings),
            enrichment_time_limit_ms=enrichment_time_limit_ms(settings),
            telemetry=metrics,
        )
        metrics.expect_jobs([(actor.queue_name, actor.actor_name) for actor in actors])
        try:
            return run_worker(
                resources.broker,
                worker_options(settings),
                services.upkeep,
            )
        finally:
            metrics_server.shutdown()
            metrics_thread.join(timeout=5)
