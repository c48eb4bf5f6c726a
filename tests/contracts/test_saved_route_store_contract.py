"""One behaviour suite for every ``SavedRouteStore``: the in-memory fake and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from adapters.outbound.postgres.saved_route_store import PostgresSavedRouteStore
from tests.fakes.route_request_store import InMemoryRouteRequestStore
from tests.fakes.saved_route_store import InMemorySavedRouteStore
from tests.support.route_results import sample_route_result
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import UnreadableRouteResultError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.domain.saved_routes import SavedRoute, SavedRoutePosition, saved_route
from wildside.ports.route_request_store import NewRouteRequest, RouteRequestStore
from wildside.ports.saved_route_store import Deletion, SavedRouteStore

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)  # microseconds survive the round trip
SPEC = RouteSpec.build(
    start=GeoPoint(60.1699, 24.9384), duration_minutes=90, preferences=["nature"], seed=7
)
RESULT = sample_route_result()


@dataclass
class Harness:
    """A saved-route store, the request store beside it, and two users both know."""

    store: SavedRouteStore
    requests: RouteRequestStore
    alice: str
    bob: str


def _fake() -> Harness:
    return Harness(
        InMemorySavedRouteStore(), InMemoryRouteRequestStore(), str(uuid.uuid4()), str(uuid.uuid4())
    )


def _postgres(url: str) -> Harness:
    accounts = PostgresAccountStore(per_call(url))
    alice = accounts.create_user("alice", None, is_admin=False).id
    bob = accounts.create_user("bob", None, is_admin=False).id
    return Harness(
        PostgresSavedRouteStore(per_call(url)),
        PostgresRouteRequestStore(per_call(url)),
        alice,
        bob,
    )


@pytest.fixture(params=["fake", "postgres"])
def h(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return _fake()
    return _postgres(request.getfixturevalue("migrated_database_url"))


def _route(
    user: str, *, at: datetime = T0, request_id: str | None = None, title: str | None = "walk"
) -> SavedRoute:
    return saved_route(
        saved_id=str(uuid.uuid4()),
        user_id=user,
        request_id=request_id or str(uuid.uuid4()),
        title=title,
        spec=SPEC,
        result=RESULT,
        created_at=at,
    )


def test_a_saved_route_reads_back_whole(h: Harness) -> None:
    route = _route(h.alice, title="Sunday — Töölö")
    summary, is_new = h.store.save(route)
    assert is_new
    assert summary == route.summary
    assert h.store.get(h.alice, route.summary.saved_id) == route


def test_a_request_is_saved_once_per_user(h: Harness) -> None:
    first = _route(h.alice)
    h.store.save(first)
    again = _route(h.alice, request_id=first.summary.request_id, at=T0 + timedelta(minutes=5))
    summary, is_new = h.store.save(again)
    assert not is_new
    assert summary == first.summary
    assert h.store.get(h.alice, again.summary.saved_id) is None
    # Another user saving the same request id (their own copy) is a separate row
    _, is_bobs_new = h.store.save(_route(h.bob, request_id=first.summary.request_id))
    assert is_bobs_new


def test_another_users_saved_route_does_not_exist_for_them(h: Harness) -> None:
    route = _route(h.alice)
    h.store.save(route)
    assert h.store.get(h.bob, route.summary.saved_id) is None
    assert h.store.page(h.bob, None, 10) == []
    assert h.store.delete(h.bob, route.summary.saved_id) is Deletion.NOT_OWNER
    assert h.store.get(h.alice, route.summary.saved_id) == route


def test_delete_says_what_it_found(h: Harness) -> None:
    route = _route(h.alice)
    h.store.save(route)
    assert h.store.delete(h.alice, route.summary.saved_id) is Deletion.DELETED
    assert h.store.delete(h.alice, route.summary.saved_id) is Deletion.ABSENT
    assert h.store.get(h.alice, route.summary.saved_id) is None
    assert h.store.delete(h.alice, "not-a-uuid") is Deletion.ABSENT


def test_ids_that_are_not_uuids_name_nothing(h: Harness) -> None:
    assert h.store.get(h.alice, "x' OR 1=1 --") is None


def test_pages_are_newest_first_and_resume_after_a_position(h: Harness) -> None:
    # Given four routes, the middle two saved at the same instant
    times = [T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)]
    routes = [_route(h.alice, at=t) for t in times]
    for route in routes:
        h.store.save(route)
    h.store.save(_route(h.bob, at=T0 + timedelta(hours=1)))  # never in Alice's list
    expected = sorted(
        (r.summary for r in routes), key=lambda s: (s.created_at, s.saved_id), reverse=True
    )
    # Then pages of two follow that order exactly, ties broken by id
    first = h.store.page(h.alice, None, 2)
    assert first == expected[:2]
    second = h.store.page(h.alice, first[-1].position, 2)
    assert second == expected[2:]
    assert h.store.page(h.alice, second[-1].position, 2) == []
    assert h.store.page(h.alice, None, 0) == []


def test_a_position_between_rows_resumes_correctly(h: Harness) -> None:
    older, newer = _route(h.alice, at=T0), _route(h.alice, at=T0 + timedelta(minutes=1))
    h.store.save(older)
    h.store.save(newer)
    middle = SavedRoutePosition(T0 + timedelta(seconds=30), str(uuid.uuid4()))
    assert h.store.page(h.alice, middle, 10) == [older.summary]


def test_the_saved_copy_outlives_its_expired_request(h: Harness) -> None:
    # Given a succeeded request, kept 24 h, and Alice's saved copy of it
    request_id = str(uuid.uuid4())
    h.requests.create(
        NewRouteRequest(request_id, h.alice, SPEC, T0, T0 + timedelta(hours=24)), None
    )
    h.requests.begin_attempt(request_id, T0)
    h.requests.transition(StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, T0), result=RESULT)
    route = _route(h.alice, request_id=request_id)
    h.store.save(route)
    # When maintenance deletes what expired, a day later
    assert h.requests.delete_expired(T0 + timedelta(hours=25)) == 1
    # Then the request is gone and the saved copy is whole
    assert h.requests.get(request_id) is None
    assert h.store.get(h.alice, route.summary.saved_id) == route


# -- PostgreSQL only: what only a real database can do ------------------------------


def test_postgres_refuses_a_result_written_in_an_unknown_shape(migrated_database_url: str) -> None:
    h = _postgres(migrated_database_url)
    route = _route(h.alice)
    h.store.save(route)
    with psycopg.connect(migrated_database_url, autocommit=True) as conn:
        conn.execute("UPDATE saved_routes SET result = jsonb_set(result, '{version}', '99')")
    with pytest.raises(UnreadableRouteResultError):
        h.store.get(h.alice, route.summary.saved_id)


def test_postgres_deletes_a_users_saved_routes_with_the_user(migrated_database_url: str) -> None:
    h = _postgres(migrated_database_url)
    h.store.save(_route(h.alice))
    h.store.save(_route(h.bob))
    with psycopg.connect(migrated_database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM users WHERE id = %s", (h.alice,))
        row = conn.execute("SELECT array_agg(user_id::text) FROM saved_routes").fetchone()
    assert row is not None
    assert row[0] == [h.bob]
