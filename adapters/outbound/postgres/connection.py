"""Open psycopg connections and translate driver errors at the edge."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator

import psycopg
import psycopg_pool
from opentelemetry import trace

from wildside.domain.errors import UnavailableError, WildsideError

CONNECT_TIMEOUT_SECONDS = 5
_TRACER = trace.get_tracer("wildside.postgresql")  # a proxy: follows the configured provider

# Who is told how long each database operation took: (statement family, seconds).
QueryObserver = Callable[[str, float], None]
# Set by the composition root while a process's metrics are live (like the
# tracer provider, a process-wide hook: every repository's operations pass
# ``translate_errors``, and none of them should need a metrics argument).
_QUERY_OBSERVERS: list[QueryObserver] = []

# Where repositories get connections: a fresh one per call (CLI), or a pool's
# ``connection`` method (long-running processes).
ConnectionSource = Callable[[], contextlib.AbstractContextManager[psycopg.Connection]]


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    """Open a connection, or raise ``UnavailableError`` naming the database.

    The password, if any, never appears in the message.
    """
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.OperationalError as exc:
        raise UnavailableError(
            f"PostgreSQL is unreachable at {_describe(url)}: {_first_line(exc)}",
            service="postgresql",
        ) from exc


@contextlib.contextmanager
def connection(url: str, *, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    """Context manager around :func:`connect` that always closes."""
    conn = connect(url, autocommit=autocommit)
    try:
        yield conn
    finally:
        conn.close()


def _describe(url: str) -> str:
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured URL"
    host = info.get("host") or "localhost"
    return f"{host}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def translate_errors(action: str, error: type[WildsideError]) -> Iterator[None]:
    """Re-raise psycopg errors as Wildside errors: lost connections as ``UnavailableError``.

    Every database operation passes here, so it is also where each one becomes
    a client span of the current trace (``action`` names it) and is timed for
    the query observers under its statement family.
    """
    began = time.perf_counter()
    with _TRACER.start_as_current_span(
        action, kind=trace.SpanKind.CLIENT, attributes={"db.system.name": "postgresql"}
    ):
        try:
            yield
        except psycopg.OperationalError as exc:
            raise UnavailableError(f"{action}: {_first_line(exc)}", service="postgresql") from exc
        except psycopg.Error as exc:
            raise error(f"{action}: {_first_line(exc)}") from exc
        finally:
            if _QUERY_OBSERVERS:
                family, seconds = statement_family(action), time.perf_counter() - began
                for observer in list(_QUERY_OBSERVERS):
                    observer(family, seconds)


_FILLER = re.compile(r"\b(?:could not|the|an?)\b|[^a-z0-9]+")


def statement_family(action: str) -> str:
    """The metric label of an operation: its fixed action text as a short slug, never SQL.

    Each adapter method passes one fixed action (``"could not read POIs"``),
    so the label set is bounded by the code, not by the data.

    Examples
    --------
    >>> statement_family("could not read POIs")
    'read_pois'
    >>> statement_family("could not update the route status")
    'update_route_status'
    """
    return "_".join(_FILLER.sub(" ", action.lower()).split()) or "other"


def observe_queries(observer: QueryObserver) -> Callable[[], None]:
    """Tell ``observer`` about every database operation of this process; returns the undo."""
    _QUERY_OBSERVERS.append(observer)
    return lambda: _QUERY_OBSERVERS.remove(observer)


def per_call(url: str) -> ConnectionSource:
    """A ``ConnectionSource`` opening (and closing) one connection per use."""
    return lambda: connection(url)


POOL_TIMEOUT_SECONDS = 3.0  # waiting longer for a connection only turns a 503 into a 504
# psycopg_pool retries a lost server with exponential backoff (1, 2, 4, 8 s, …) for
# reconnect_timeout; after an 8 s outage its next try came up to 7 s after the
# server was back. Giving up after 2 s makes the next request start a fresh
# attempt at once, so tries stay at most about a second apart (measured: the
# first query succeeded 5.2 s after a restart with the default, 0.5 s with 2 s).
RECONNECT_WINDOW_SECONDS = 2.0


def open_pool(
    url: str, *, max_size: int, timeout_s: float = POOL_TIMEOUT_SECONDS
) -> psycopg_pool.ConnectionPool:
    """An open autocommit pool; the caller closes it (worker shutdown, lifespan end).

    ``max_size`` is the caller's (``WILDSIDE_DB_POOL_SIZE`` for the API, the
    thread count plus two for a worker).

    Opening does not wait for the database: while it is down, asking for a
    connection fails after ``timeout_s`` with ``PoolTimeout`` (an
    ``OperationalError``, which ``translate_errors`` turns into
    ``UnavailableError``), and the pool reconnects by itself afterwards,
    within about a second of the server's return.
    """
    return psycopg_pool.ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        timeout=timeout_s,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
        reconnect_timeout=RECONNECT_WINDOW_SECONDS,
        open=True,
    )
