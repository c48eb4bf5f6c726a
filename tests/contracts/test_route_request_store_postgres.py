"""PostgreSQL-only rules of ``PostgresRouteRequestStore``: races, driver errors, lost servers."""

from __future__ import annotations

import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from tests.contracts.test_route_request_store_contract import (
    T0,
    claim,
    new_request,
    postgres_harness,
)
from tests.support.route_results import legacy_document, sample_route_result
from wildside.domain.errors import UnavailableError
from wildside.domain.route_result import UnreadableRouteResultError
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.ports.route_request_store import NewRouteRequest, RouteRequestStoreError


@pytest.mark.parametrize("is_key_expired", [False, True], ids=["fresh-key", "expired-key"])
def test_concurrent_submissions_with_one_key_store_exactly_one(
    migrated_database_url: str, is_key_expired: bool
) -> None:
    # Given a user, and (in one variant) an old binding of the key that has expired
    h = postgres_harness(migrated_database_url)
    at = T0 + timedelta(hours=2)
    if is_key_expired:
        h.store.create(new_request(h.alice), claim("race", ttl=timedelta(hours=1)))
    before = h.counts()[0]
    callers = 8
    requests = [new_request(h.alice, at=at) for _ in range(callers)]
    gate = threading.Barrier(callers)

    def submit(request: NewRouteRequest) -> str:
        # Each call opens its own connection (per_call), as separate pods would.
        store = PostgresRouteRequestStore(per_call(migrated_database_url))
        gate.wait()
        bound = store.create(request, claim("race", at=at))
        return request.request_id if bound is None else bound.request_id

    # When all submit the same key at once
    with ThreadPoolExecutor(callers) as pool:
        answers = list(pool.map(submit, requests))
    # Then exactly one request was stored, and everyone got its id
    assert h.counts()[0] == before + 1
    (winner,) = set(answers)
    assert winner in {r.request_id for r in requests}
    assert sum(h.store.get(r.request_id) is not None for r in requests) == 1


def test_database_errors_become_store_errors(migrated_database_url: str) -> None:
    # Given a request by a user the database does not know
    store = PostgresRouteRequestStore(per_call(migrated_database_url))
    # When it is stored, then the foreign-key violation arrives as a store error
    with pytest.raises(RouteRequestStoreError) as caught:
        store.create(new_request(str(uuid.uuid4())), None)
    assert isinstance(caught.value.__cause__, psycopg.errors.ForeignKeyViolation)


def test_an_unreachable_database_is_unavailable() -> None:
    # Given a store pointed at a port nobody listens on
    store = PostgresRouteRequestStore(per_call(f"postgresql://nobody@127.0.0.1:{closed_port()}/x"))
    # When any method is called, then the service is reported unavailable
    with pytest.raises(UnavailableError) as caught:
        store.get(str(uuid.uuid4()))
    assert caught.value.service == "postgresql"
    with pytest.raises(UnavailableError):
        store.delete_expired(T0)


def closed_port() -> int:
    """A loopback port that was free a moment ago (nothing listens on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _succeeded_with_stored_result(migrated_database_url: str, stored: object) -> str:
    """A succeeded request whose ``routes.result`` row holds ``stored`` as written by SQL."""
    h = postgres_harness(migrated_database_url)
    request = new_request(h.alice)
    h.store.create(request, None)
    h.store.begin_attempt(request.request_id, T0)
    done = StatusUpdate(request.request_id, RouteStatus.SUCCEEDED, 100, T0)
    h.store.transition(done, result=sample_route_result())
    with psycopg.connect(migrated_database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE routes SET result = %s WHERE request_id = %s",
            (Jsonb(stored), request.request_id),
        )
    return request.request_id


def test_a_result_stored_before_results_were_typed_still_reads(
    migrated_database_url: str,
) -> None:
    # Given a result row written by the untyped code of 2026-11 (no version key)
    expected = sample_route_result(name="Suomenlinna")
    request_id = _succeeded_with_stored_result(migrated_database_url, legacy_document(expected))
    # When it is read, then it is the same route, typed
    record = PostgresRouteRequestStore(per_call(migrated_database_url)).get(request_id)
    assert record is not None
    assert record.result == expected


@pytest.mark.parametrize("stored", [{"version": 99}, {"version": 1, "points": "nonsense"}, [1]])
def test_a_result_of_an_unknown_shape_is_refused_clearly(
    migrated_database_url: str, stored: object
) -> None:
    # Given a result row of a shape this version cannot read (newer, or damaged)
    request_id = _succeeded_with_stored_result(migrated_database_url, stored)
    # When it is read, then a WildsideError says so (never a driver or decode error)
    with pytest.raises(UnreadableRouteResultError):
        PostgresRouteRequestStore(per_call(migrated_database_url)).get(request_id)
