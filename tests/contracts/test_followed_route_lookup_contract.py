"""One behaviour suite for every ``FollowedRouteLookup``: the fake, route requests by id over
the in-memory and the PostgreSQL ``RouteRequestStore``, and saved routes over both saved-route
stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.saved_route_store import PostgresSavedRouteStore
from tests.contracts.test_route_request_store_contract import postgres_harness
from tests.fakes.followed_route_lookup import InMemoryFollowedRouteLookup
from tests.fakes.route_request_store import InMemoryRouteRequestStore
from tests.fakes.saved_route_store import InMemorySavedRouteStore
from tests.support.route_results import sample_route_result
from wildside.app.guide_walk import RequestRouteLookup, SavedRouteLookup
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import RouteResult
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.domain.saved_routes import saved_route
from wildside.ports.followed_route_lookup import FollowedRouteLookup
from wildside.ports.route_request_store import NewRouteRequest, RouteRequestStore
from wildside.ports.saved_route_store import SavedRouteStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SPEC = RouteSpec.build(start=GeoPoint(60.1699, 24.9384), duration_minutes=90)
RESULT = sample_route_result()


@dataclass
class Harness:
    """A lookup, two users, and a way to give one of them a route (with or without a tour)."""

    lookup: FollowedRouteLookup
    alice: str
    bob: str
    add: Callable[[str, RouteResult | None], str]  # (owner, tour or None) -> route id


def _fake() -> Harness:
    lookup = InMemoryFollowedRouteLookup()

    def add(owner: str, result: RouteResult | None) -> str:
        route_id = str(uuid.uuid4())
        lookup.add(owner, route_id, result)
        return route_id

    return Harness(lookup, str(uuid.uuid4()), str(uuid.uuid4()), add)


def _requests(store: RouteRequestStore, alice: str, bob: str) -> Harness:
    def add(owner: str, result: RouteResult | None) -> str:
        request_id = str(uuid.uuid4())
        store.create(NewRouteRequest(request_id, owner, SPEC, T0, T0 + timedelta(days=1)), None)
        store.begin_attempt(request_id, T0)
        if result is not None:
            done = StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, T0)
            store.transition(done, result=result)
        return request_id

    return Harness(RequestRouteLookup(store), alice, bob, add)


def _saved(store: SavedRouteStore, alice: str, bob: str) -> Harness:
    def add(owner: str, result: RouteResult | None) -> str:
        saved_id = str(uuid.uuid4())
        if result is not None:  # a saved route always holds a tour: None saves nothing
            copy = saved_route(
                saved_id=saved_id,
                user_id=owner,
                request_id=str(uuid.uuid4()),
                title=None,
                spec=SPEC,
                result=result,
                created_at=T0,
            )
            store.save(copy)
        return saved_id

    return Harness(SavedRouteLookup(store), alice, bob, add)


@pytest.fixture(
    params=["fake", "requests-in-memory", "requests-postgres", "saved-in-memory", "saved-postgres"]
)
def h(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return _fake()
    if request.param == "requests-in-memory":
        return _requests(InMemoryRouteRequestStore(), str(uuid.uuid4()), str(uuid.uuid4()))
    if request.param == "saved-in-memory":
        return _saved(InMemorySavedRouteStore(), str(uuid.uuid4()), str(uuid.uuid4()))
    if request.param == "saved-postgres":
        url = request.getfixturevalue("migrated_database_url")
        accounts = PostgresAccountStore(per_call(url))
        alice = accounts.create_user("alice", None, is_admin=False).id
        bob = accounts.create_user("bob", None, is_admin=False).id
        return _saved(PostgresSavedRouteStore(per_call(url)), alice, bob)
    pg = postgres_harness(request.getfixturevalue("migrated_database_url"))
    return _requests(pg.store, pg.alice, pg.bob)


def test_the_owner_gets_the_route_with_its_tour(h: Harness) -> None:
    # Given a route of alice's with a tour
    route_id = h.add(h.alice, RESULT)
    # When alice looks it up
    found = h.lookup.route_for(h.alice, route_id)
    # Then she gets the whole tour back
    assert found == RESULT


def test_another_users_route_is_none(h: Harness) -> None:
    # Given a route of alice's
    route_id = h.add(h.alice, RESULT)
    # Then bob cannot get it: it looks like no route at all
    assert h.lookup.route_for(h.bob, route_id) is None


def test_a_route_without_a_tour_is_none(h: Harness) -> None:
    # Given a route of alice's still being computed
    route_id = h.add(h.alice, None)
    # Then there is nothing to follow yet
    assert h.lookup.route_for(h.alice, route_id) is None


@pytest.mark.parametrize(
    "route_id", ["59cc2860-03de-42c7-b0be-741f8bd7205c", "not-a-uuid", "x" * 64]
)
def test_unknown_ids_of_any_form_are_none(h: Harness, route_id: str) -> None:
    assert h.lookup.route_for(h.alice, route_id) is None
