"""Wire what operators watch: database metrics on a process's registry, route failure codes."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg_pool

from adapters.outbound.postgres.connection import observe_queries
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from adapters.settings import Settings
from wildside.app.generate_route import TourPlanner
from wildside.domain.errors import WildsideError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Tour


@contextlib.contextmanager
def database_watched(
    pool: psycopg_pool.ConnectionPool, metrics: PrometheusMetrics, settings: Settings
) -> Iterator[None]:
    """Pool gauges and per-operation timing on ``metrics`` while ``pool`` is open."""
    forget_pool = metrics.watch_database(
        pool.get_stats, slow_query_s=settings.db_slow_query_ms / 1000.0
    )
    forget_queries = observe_queries(metrics.query_finished)
    try:
        yield
    finally:
        forget_queries()
        forget_pool()


class FailureCodes(TourPlanner):
    """A ``TourPlanner`` that remembers, per worker thread, the code of the error it raised.

    ``GenerateRoute`` stores a refused request as ``failed`` and returns only
    ``JobOutcome.FAILED``; the worker's failure line needs the reason
    (``no-walking-network``, ``end-out-of-reach``, ...), which is the code of
    the error the engine raised. The actor takes it after every route job.
    """

    def __init__(self, planner: TourPlanner) -> None:
        self._planner = planner
        self._local = threading.local()

    def data_version(self) -> str:
        """The planner's map data version."""
        return self._planner.data_version()

    def __call__(
        self,
        request: RouteSpec,
        progress: Any = None,
        data_version: str | None = None,
        on_candidate: Any = None,
    ) -> Tour:
        """Plan with the wrapped planner; note the code of a Wildside error on the way out."""
        try:
            return self._planner(
                request, progress=progress, data_version=data_version, on_candidate=on_candidate
            )
        except WildsideError as exc:
            self._local.code = exc.code
            raise

    def take(self) -> str | None:
        """The code noted on this thread since the last ``take`` (and forget it)."""
        code: str | None = getattr(self._local, "code", None)
        self._local.code = None
        return code
