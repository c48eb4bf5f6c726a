"""One behaviour suite for every ``RouteRequestStore``: the in-memory fake and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from tests.fakes.route_request_store import InMemoryRouteRequestStore
from tests.support.route_results import sample_route_result
from wildside.domain.geo import GeoPoint
from wildside.domain.idempotency import IdempotencyRecord
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import TIMEOUT_ERROR, RouteStatus, StatusUpdate
from wildside.ports.route_request_store import (
    IdempotencyClaim,
    NewRouteRequest,
    RouteRequestRecord,
    RouteRequestStore,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
SPEC = RouteSpec.build(
    start=GeoPoint(60.1699, 24.9384),
    duration_minutes=90,
    preferences=["nature", "history"],
    seed=7,
)
OTHER_SPEC = RouteSpec.build(
    start=GeoPoint(60.1699, 24.9384), end=GeoPoint(60.1718, 24.9414), duration_minutes=45
)
RESULT = sample_route_result()


@dataclass
class Harness:
    """A store, two users it knows, and a way to count what it holds."""

    store: RouteRequestStore
    alice: str
    bob: str
    counts: Callable[[], tuple[int, int, int]]  # (requests, results, keys)


def _fake() -> Harness:
    store = InMemoryRouteRequestStore()
    return Harness(
        store,
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        lambda: (
            len(store.rows),
            sum(row.record.result is not None for row in store.rows.values()),
            len(store.keys),
        ),
    )


def postgres_harness(url: str) -> Harness:
    """The real adapter on ``url``, with users created (requests reference them)."""
    with psycopg.connect(url, autocommit=True) as conn:
        # A session time zone other than UTC proves timestamps come back in UTC.
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET timezone TO 'Asia/Kolkata'").format(
                sql.Identifier(conn.info.dbname)
            )
        )
    accounts = PostgresAccountStore(per_call(url))
    alice = accounts.create_user("alice", None, is_admin=False).id
    bob = accounts.create_user("bob", None, is_admin=False).id

    def counts() -> tuple[int, int, int]:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM route_requests), (SELECT count(*) FROM routes),"
                " (SELECT count(*) FROM idempotency_keys)"
            ).fetchone()
        assert row is not None
        return row

    return Harness(PostgresRouteRequestStore(per_call(url)), alice, bob, counts)


@pytest.fixture(params=["fake", "postgres"])
def h(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return _fake()
    return postgres_harness(request.getfixturevalue("migrated_database_url"))


def new_request(
    user: str, *, at: datetime = T0, spec: RouteSpec = SPEC, retention: timedelta = DAY
) -> NewRouteRequest:
    """A fresh request by ``user`` created at ``at``."""
    return NewRouteRequest(str(uuid.uuid4()), user, spec, at, at + retention)


def claim(
    key: str, *, at: datetime = T0, spec: RouteSpec = SPEC, ttl: timedelta = DAY
) -> IdempotencyClaim:
    """``key`` bound until ``at + ttl`` to ``spec``'s payload."""
    return IdempotencyClaim(key, spec.payload_hash(), at + ttl)


def stored(h: Harness, request_id: str) -> RouteRequestRecord:
    """The stored record, which must exist."""
    record = h.store.get(request_id)
    assert record is not None
    return record


def running(h: Harness, *, at: datetime = T0, progress: int = 0) -> str:
    """Given a stored request that a worker has started (and moved to ``progress``)."""
    request = new_request(h.alice, at=at)
    h.store.create(request, None)
    h.store.begin_attempt(request.request_id, at + timedelta(seconds=1))
    if progress:
        update = StatusUpdate(request.request_id, RouteStatus.RUNNING, progress, at)
        h.store.transition(update)
    return request.request_id


# --- create and get -------------------------------------------------------------------------


def test_create_stores_a_queued_request(h: Harness) -> None:
    # Given a new request without an idempotency key
    request = new_request(h.alice)
    # When it is stored
    assert h.store.create(request, None) is None
    # Then it reads back queued, untouched, with its spec and UTC timestamps
    record = stored(h, request.request_id)
    assert (record.request_id, record.user_id, record.spec) == (request.request_id, h.alice, SPEC)
    assert (record.status, record.progress, record.error, record.attempts) == (
        RouteStatus.QUEUED,
        0,
        None,
        0,
    )
    assert record.created_at == record.updated_at == T0
    assert record.created_at.utcoffset() == timedelta(0)
    assert record.result is None


def test_get_of_an_unknown_request_is_none(h: Harness) -> None:
    # Given an empty store, when unknown or malformed ids are read, then nothing is found
    assert h.store.get(str(uuid.uuid4())) is None
    assert h.store.get("not-a-uuid") is None


def test_without_a_key_every_request_is_stored(h: Harness) -> None:
    # Given two identical requests without keys, when both are stored, then both exist
    first, second = new_request(h.alice), new_request(h.alice)
    assert h.store.create(first, None) is None
    assert h.store.create(second, None) is None
    assert h.counts() == (2, 0, 0)


def test_a_bound_key_returns_its_binding_and_stores_nothing(h: Harness) -> None:
    # Given a request stored under a key
    first = new_request(h.alice)
    assert h.store.create(first, claim("k-1")) is None
    # When the same user submits again with that key, the same or another payload
    replay = new_request(h.alice, at=T0 + timedelta(minutes=5))
    other = new_request(h.alice, at=T0 + timedelta(minutes=6), spec=OTHER_SPEC)
    bound = h.store.create(replay, claim("k-1", at=replay.created_at))
    also_bound = h.store.create(other, claim("k-1", at=other.created_at, spec=OTHER_SPEC))
    # Then both get the original binding (judging the payload is the use case's job)
    expected = IdempotencyRecord("k-1", SPEC.payload_hash(), first.request_id, T0 + DAY)
    assert bound == also_bound == expected
    # And neither later request was stored
    assert h.store.get(replay.request_id) is None
    assert h.store.get(other.request_id) is None
    assert h.counts() == (1, 0, 1)


def test_an_expired_key_can_be_bound_again(h: Harness) -> None:
    # Given a key bound for one hour
    first = new_request(h.alice)
    h.store.create(first, claim("k-1", ttl=timedelta(hours=1)))
    # When it is used again exactly when it expires
    later = new_request(h.alice, at=T0 + timedelta(hours=1), spec=OTHER_SPEC)
    assert h.store.create(later, claim("k-1", at=later.created_at, spec=OTHER_SPEC)) is None
    # Then the new request is stored and the key now points at it
    assert h.store.get(later.request_id) is not None
    again = new_request(h.alice, at=T0 + timedelta(hours=2))
    bound = h.store.create(again, claim("k-1", at=again.created_at))
    assert bound is not None
    assert (bound.request_id, bound.payload_hash) == (later.request_id, OTHER_SPEC.payload_hash())
    # And the first request lives on (its own retention is 24 h)
    assert h.store.get(first.request_id) is not None


def test_keys_are_separate_per_user(h: Harness) -> None:
    # Given Alice's request under a key
    h.store.create(new_request(h.alice), claim("shared"))
    # When Bob uses the same key, then his request is stored too
    bobs = new_request(h.bob)
    assert h.store.create(bobs, claim("shared")) is None
    assert h.store.get(bobs.request_id) is not None
    assert h.counts() == (2, 0, 2)


# --- begin_attempt --------------------------------------------------------------------------


def test_begin_attempt_starts_a_queued_request(h: Harness) -> None:
    # Given a queued request
    request = new_request(h.alice)
    h.store.create(request, None)
    # When a worker begins
    at = T0 + timedelta(seconds=3)
    started = h.store.begin_attempt(request.request_id, at)
    # Then it runs, counted once
    assert started == StatusUpdate(request.request_id, RouteStatus.RUNNING, 0, at)
    record = stored(h, request.request_id)
    assert (record.status, record.attempts, record.updated_at) == (RouteStatus.RUNNING, 1, at)


def test_begin_attempt_again_counts_a_redelivery(h: Harness) -> None:
    # Given a request running at 40 %
    request_id = running(h, progress=40)
    # When a redelivered job begins again
    at = T0 + timedelta(minutes=1)
    started = h.store.begin_attempt(request_id, at)
    # Then it is still running, progress kept, two attempts counted
    assert started == StatusUpdate(request_id, RouteStatus.RUNNING, 40, at)
    record = stored(h, request_id)
    assert record.attempts == 2


def test_begin_attempt_refuses_final_and_unknown_requests(h: Harness) -> None:
    # Given a succeeded request
    request_id = running(h)
    h.store.transition(StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, T0), result=RESULT)
    # When attempts begin on it, or on ids that name nothing, then they are refused
    assert h.store.begin_attempt(request_id, T0 + timedelta(minutes=1)) is None
    assert h.store.begin_attempt(str(uuid.uuid4()), T0) is None
    assert h.store.begin_attempt("not-a-uuid", T0) is None
    record = stored(h, request_id)
    assert (record.status, record.attempts) == (RouteStatus.SUCCEEDED, 1)


# --- transition -----------------------------------------------------------------------------


def test_a_queued_request_cannot_jump_to_a_final_status(h: Harness) -> None:
    # Given a queued request
    request = new_request(h.alice)
    h.store.create(request, None)
    # When it is told it succeeded or failed without running, then both are refused
    rid = request.request_id
    done = StatusUpdate(rid, RouteStatus.SUCCEEDED, 100, T0 + timedelta(seconds=1))
    failed = StatusUpdate(rid, RouteStatus.FAILED, 0, T0, error=TIMEOUT_ERROR)
    assert h.store.transition(done, result=RESULT) is None
    assert h.store.transition(failed) is None
    # And nothing changed
    record = stored(h, rid)
    assert (record.status, record.result, record.updated_at) == (RouteStatus.QUEUED, None, T0)
    assert h.counts() == (1, 0, 0)


def test_success_stores_the_result_once(h: Harness) -> None:
    # Given a running request
    request_id = running(h)
    # When it succeeds with a result
    at = T0 + timedelta(seconds=30)
    done = h.store.transition(
        StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, at), result=RESULT
    )
    # Then the status and the result are stored
    assert done == StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, at)
    record = stored(h, request_id)
    assert (record.status, record.result) == (RouteStatus.SUCCEEDED, RESULT)
    # When a second success arrives with another result, then it is refused
    second = StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, at + timedelta(seconds=1))
    assert h.store.transition(second, result={"stops": []}) is None
    # And the first result and time stay
    record = stored(h, request_id)
    assert (record.result, record.updated_at) == (RESULT, at)
    assert h.counts() == (1, 1, 0)


def test_failure_keeps_the_highest_progress(h: Harness) -> None:
    # Given a request running at 60 %
    request_id = running(h, progress=60)
    # When it fails reporting 0 %
    at = T0 + timedelta(minutes=2)
    failed = h.store.transition(
        StatusUpdate(request_id, RouteStatus.FAILED, 0, at, error=TIMEOUT_ERROR)
    )
    # Then it is failed with its error, at 60 %
    assert failed == StatusUpdate(request_id, RouteStatus.FAILED, 60, at, error=TIMEOUT_ERROR)
    record = stored(h, request_id)
    assert (record.status, record.progress, record.error) == (
        RouteStatus.FAILED,
        60,
        TIMEOUT_ERROR,
    )
    # And a final status cannot be left
    assert h.store.transition(StatusUpdate(request_id, RouteStatus.RUNNING, 70, at)) is None


def test_running_progress_never_decreases(h: Harness) -> None:
    # Given a request running at 50 %
    request_id = running(h, progress=50)
    # When a late update reports 30 %, then 50 % stays
    at = T0 + timedelta(seconds=9)
    late = h.store.transition(StatusUpdate(request_id, RouteStatus.RUNNING, 30, at))
    assert late == StatusUpdate(request_id, RouteStatus.RUNNING, 50, at)
    # When progress moves on to 80 %, then 80 % is stored
    ahead = h.store.transition(StatusUpdate(request_id, RouteStatus.RUNNING, 80, at))
    assert ahead is not None
    assert ahead.progress == 80


def test_transition_of_an_unknown_request_is_refused(h: Harness) -> None:
    # Given nothing stored, when ids that name nothing move, then they are refused
    for request_id in (str(uuid.uuid4()), "not-a-uuid"):
        assert h.store.transition(StatusUpdate(request_id, RouteStatus.RUNNING, 5, T0)) is None


# --- leases ---------------------------------------------------------------------------------


def test_a_held_running_request_is_not_taken_until_its_lease_lapses(h: Harness) -> None:
    # Given a request a worker started at T0 with a lease of 30 s
    request = new_request(h.alice)
    h.store.create(request, None)
    lease_until = T0 + timedelta(seconds=30)
    assert h.store.begin_attempt(request.request_id, T0, lease_until=lease_until) is not None
    # When a second delivery arrives while the lease holds, then it is refused
    assert h.store.begin_attempt(request.request_id, T0 + timedelta(seconds=29)) is None
    assert stored(h, request.request_id).attempts == 1
    # And once the lease has lapsed the next delivery takes the request over
    later = T0 + timedelta(seconds=30)
    taken = h.store.begin_attempt(
        request.request_id, later, lease_until=later + timedelta(seconds=30)
    )
    assert taken is not None
    assert taken.status is RouteStatus.RUNNING
    assert stored(h, request.request_id).attempts == 2


def test_renewing_a_lease_keeps_other_deliveries_out(h: Harness) -> None:
    # Given a running request whose 30 s lease is renewed at 20 s for 30 s more
    request = new_request(h.alice)
    h.store.create(request, None)
    h.store.begin_attempt(request.request_id, T0, lease_until=T0 + timedelta(seconds=30))
    assert h.store.set_lease(request.request_id, T0 + timedelta(seconds=50)) is True
    # When another delivery arrives after the first lease would have lapsed
    # Then the renewed lease still keeps it out
    assert h.store.begin_attempt(request.request_id, T0 + timedelta(seconds=40)) is None
    # And a released lease lets it in at once
    assert h.store.set_lease(request.request_id, None) is True
    assert h.store.begin_attempt(request.request_id, T0 + timedelta(seconds=41)) is not None


def test_a_lease_cannot_be_set_on_a_request_that_is_not_running(h: Harness) -> None:
    # Given a queued request and a finished one
    queued = new_request(h.alice)
    h.store.create(queued, None)
    finished = running(h)
    h.store.transition(StatusUpdate(finished, RouteStatus.SUCCEEDED, 100, T0), result=RESULT)
    # When leases are set on them, or on ids that name nothing, then each is refused
    for request_id in (queued.request_id, finished, str(uuid.uuid4()), "not-a-uuid"):
        assert h.store.set_lease(request_id, T0 + timedelta(minutes=1)) is False
    assert stored(h, queued.request_id).status is RouteStatus.QUEUED


# --- claim_lost -----------------------------------------------------------------------------


def test_claim_lost_takes_the_oldest_stale_queued_first_up_to_the_limit(h: Harness) -> None:
    # Given three queued requests created a minute apart, stored newest first
    requests = [new_request(h.alice, at=T0 + timedelta(minutes=m)) for m in (2, 0, 1)]
    for request in requests:
        h.store.create(request, None)
    # When two lost ones are claimed
    now = T0 + timedelta(minutes=30)
    claimed = h.store.claim_lost(now, now - timedelta(minutes=5), 2)
    # Then the two oldest come back, oldest first, touched at now
    assert [r.request_id for r in claimed] == [requests[1].request_id, requests[2].request_id]
    assert all(r.updated_at == now and r.status is RouteStatus.QUEUED for r in claimed)
    assert claimed[0].spec == SPEC
    assert claimed[0].created_at == T0


def test_claim_lost_does_not_hand_out_a_request_twice(h: Harness) -> None:
    # Given two stale queued requests
    for minute in (0, 1):
        h.store.create(new_request(h.alice, at=T0 + timedelta(minutes=minute)), None)
    now, untouched_since = T0 + timedelta(minutes=30), T0 + timedelta(minutes=25)
    # When one sweep claims them all
    assert len(h.store.claim_lost(now, untouched_since, 10)) == 2
    # Then a second sweep right after finds nothing
    assert h.store.claim_lost(now, untouched_since, 10) == []
    assert h.store.claim_lost(now + timedelta(seconds=1), untouched_since, 10) == []
    # And once they have been quiet long enough they are lost again
    later = now + timedelta(minutes=10)
    assert len(h.store.claim_lost(later, later - timedelta(minutes=5), 10)) == 2


def test_claim_lost_takes_a_running_request_whose_lease_lapsed(h: Harness) -> None:
    # Given a request whose worker took a 30 s lease at T0 and then died
    dead = new_request(h.alice)
    h.store.create(dead, None)
    h.store.begin_attempt(dead.request_id, T0, lease_until=T0 + timedelta(seconds=30))
    # And one whose worker keeps renewing
    alive = new_request(h.alice)
    h.store.create(alive, None)
    h.store.begin_attempt(alive.request_id, T0, lease_until=T0 + timedelta(seconds=30))
    h.store.set_lease(alive.request_id, T0 + timedelta(seconds=60))
    untouched_since = T0 - timedelta(minutes=5)
    # When maintenance runs before the lease lapses, then nothing is lost
    assert h.store.claim_lost(T0 + timedelta(seconds=29), untouched_since, 10) == []
    # When it runs after, then only the dead worker's request is claimed, still running
    now = T0 + timedelta(seconds=31)
    claimed = h.store.claim_lost(now, untouched_since, 10)
    assert [(r.request_id, r.status, r.attempts) for r in claimed] == [
        (dead.request_id, RouteStatus.RUNNING, 1)
    ]
    # And the job sent again may take it at once (claiming dropped the lease)
    assert h.store.begin_attempt(dead.request_id, now) is not None


def test_claim_lost_takes_a_resent_running_request_nobody_took(h: Harness) -> None:
    # Given a running request claimed once (its job sent again) that nobody picked up
    request = new_request(h.alice)
    h.store.create(request, None)
    h.store.begin_attempt(request.request_id, T0, lease_until=T0 + timedelta(seconds=30))
    first = T0 + timedelta(minutes=1)
    assert len(h.store.claim_lost(first, first - timedelta(minutes=5), 10)) == 1
    # When maintenance runs again before and after it has been quiet for five minutes
    soon, later = first + timedelta(minutes=4), first + timedelta(minutes=6)
    assert h.store.claim_lost(soon, soon - timedelta(minutes=5), 10) == []
    # Then it is lost again only after
    assert len(h.store.claim_lost(later, later - timedelta(minutes=5), 10)) == 1


def test_claim_lost_skips_recent_held_and_final_requests(h: Harness) -> None:
    # Given a fresh queued request, a held running one and a finished one
    fresh = new_request(h.alice, at=T0 + timedelta(minutes=28))
    h.store.create(fresh, None)
    held = new_request(h.alice)
    h.store.create(held, None)
    now = T0 + timedelta(minutes=30)
    h.store.begin_attempt(held.request_id, T0, lease_until=now + timedelta(seconds=30))
    finished = running(h)
    h.store.transition(StatusUpdate(finished, RouteStatus.FAILED, 0, T0, error="x"))
    # When lost requests are claimed, then none qualifies
    assert h.store.claim_lost(now, now - timedelta(minutes=5), 10) == []
    assert h.store.claim_lost(now, now - timedelta(minutes=5), 0) == []
    record = stored(h, fresh.request_id)
    assert record.updated_at == fresh.created_at


# --- delete_expired -------------------------------------------------------------------------


def test_delete_expired_takes_results_and_keys_along(h: Harness) -> None:
    # Given a succeeded request kept one hour, under a key valid for a day
    request = new_request(h.alice, retention=timedelta(hours=1))
    h.store.create(request, claim("k-1"))
    h.store.begin_attempt(request.request_id, T0)
    done = StatusUpdate(request.request_id, RouteStatus.SUCCEEDED, 100, T0)
    h.store.transition(done, result=RESULT)
    assert h.counts() == (1, 1, 1)
    # When expired rows are deleted once its hour is up
    assert h.store.delete_expired(T0 + timedelta(hours=1)) == 1
    # Then the request, its result and its key are gone
    assert h.store.get(request.request_id) is None
    assert h.counts() == (0, 0, 0)
    # And the key is free although its own expiry is still ahead
    again = new_request(h.alice, at=T0 + timedelta(hours=2))
    assert h.store.create(again, claim("k-1", at=again.created_at)) is None


def test_delete_expired_drops_expired_keys_of_live_requests(h: Harness) -> None:
    # Given a request kept a day under a key valid for an hour
    request = new_request(h.alice)
    h.store.create(request, claim("k-1", ttl=timedelta(hours=1)))
    # When expired rows are deleted after two hours
    assert h.store.delete_expired(T0 + timedelta(hours=2)) == 0
    # Then only the key is gone
    assert h.store.get(request.request_id) is not None
    assert h.counts() == (1, 0, 0)


def test_delete_expired_leaves_live_rows(h: Harness) -> None:
    # Given one expired and one live succeeded request, each under a key
    old = new_request(h.alice, retention=timedelta(hours=1))
    live = new_request(h.alice, at=T0 + timedelta(minutes=30))
    for request, key in ((old, "old"), (live, "live")):
        h.store.create(request, claim(key, at=request.created_at))
        h.store.begin_attempt(request.request_id, request.created_at)
        update = StatusUpdate(request.request_id, RouteStatus.SUCCEEDED, 100, request.created_at)
        h.store.transition(update, result=RESULT)
    # When expired rows are deleted, twice
    now = T0 + timedelta(hours=1, minutes=1)
    assert h.store.delete_expired(now) == 1
    assert h.store.delete_expired(now) == 0
    # Then the live request keeps its result and its key
    record = stored(h, live.request_id)
    assert record.result == RESULT
    assert h.counts() == (1, 1, 1)
    bound = h.store.create(new_request(h.alice, at=now), claim("live", at=now))
    assert bound is not None
    assert bound.request_id == live.request_id
