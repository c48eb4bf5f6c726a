"""``RouteRequestStore`` cancel and history, on the in-memory fake and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from tests.contracts.test_route_request_store_contract import (
    RESULT,
    T0,
    Harness,
    h,
    new_request,
    running,
    stored,
)
from wildside.domain.route_status import TIMEOUT_ERROR, RouteStatus, StatusUpdate
from wildside.ports.route_request_store import HistoryPosition

__all__ = ["h"]  # the parametrised harness fixture (fake and PostgreSQL)

LATER = T0 + timedelta(minutes=5)


# --- cancel ---------------------------------------------------------------------------------


def test_cancel_ends_a_queued_request_at_once(h: Harness) -> None:
    request = new_request(h.alice)
    h.store.create(request, None)
    ended = h.store.cancel(request.request_id, LATER)
    assert ended == StatusUpdate(request.request_id, RouteStatus.FAILED, 0, LATER, "cancelled")
    record = stored(h, request.request_id)
    assert (record.status, record.error, record.updated_at) == (
        RouteStatus.FAILED,
        "cancelled",
        LATER,
    )
    # And no worker may start it afterwards
    assert h.store.begin_attempt(request.request_id, LATER + timedelta(seconds=1)) is None


def test_cancel_ends_a_running_request_keeps_its_progress_and_drops_its_lease(
    h: Harness,
) -> None:
    request_id = running(h, progress=40)
    h.store.set_lease(request_id, LATER + timedelta(minutes=10))
    ended = h.store.cancel(request_id, LATER)
    assert ended is not None
    assert (ended.status, ended.progress, ended.error) == (RouteStatus.FAILED, 40, "cancelled")
    # The worker's next progress report is refused, and so is its lease and its result
    progress = StatusUpdate(request_id, RouteStatus.RUNNING, 60, LATER)
    assert h.store.transition(progress) is None
    assert h.store.set_lease(request_id, LATER + timedelta(minutes=1)) is False
    done = StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, LATER)
    assert h.store.transition(done, result=RESULT) is None
    assert stored(h, request_id).result is None
    # And the maintenance sweep never sends it again, lease or no lease
    assert h.store.claim_lost(LATER + timedelta(hours=1), LATER + timedelta(hours=1), 10) == []


def test_cancel_of_a_final_or_unknown_request_changes_nothing(h: Harness) -> None:
    request_id = running(h)
    failed = StatusUpdate(request_id, RouteStatus.FAILED, 0, LATER, TIMEOUT_ERROR)
    h.store.transition(failed)
    assert h.store.cancel(request_id, LATER + timedelta(seconds=1)) is None
    assert stored(h, request_id).error == TIMEOUT_ERROR
    assert h.store.cancel("9b2f6a52-0c1e-4d7a-9e55-3b8d7c1a2f40", LATER) is None
    assert h.store.cancel("not-a-uuid", LATER) is None


def test_cancelling_twice_ends_it_once(h: Harness) -> None:
    request = new_request(h.alice)
    h.store.create(request, None)
    assert h.store.cancel(request.request_id, LATER) is not None
    assert h.store.cancel(request.request_id, LATER + timedelta(seconds=1)) is None
    assert stored(h, request.request_id).updated_at == LATER


# --- history --------------------------------------------------------------------------------


def test_history_lists_the_users_live_requests_newest_first(h: Harness) -> None:
    # Given three of Alice's requests a minute apart, one of Bob's, and one of Alice's expired
    ids = []
    for minute in range(3):
        request = new_request(h.alice, at=T0 + timedelta(minutes=minute))
        h.store.create(request, None)
        ids.append(request.request_id)
    h.store.create(new_request(h.bob, at=T0 + timedelta(minutes=1)), None)
    old = new_request(h.alice, at=T0 - timedelta(hours=23), retention=timedelta(hours=23))
    h.store.create(old, None)
    h.store.cancel(ids[1], LATER)
    # When Alice lists them
    listed = h.store.list_for_user(h.alice, LATER, limit=10)
    # Then she sees her live requests only, newest first, with their status, without results
    assert [r.request_id for r in listed] == ids[::-1]
    assert [r.user_id for r in listed] == [h.alice] * 3
    assert [(r.status, r.error) for r in listed] == [
        (RouteStatus.QUEUED, None),
        (RouteStatus.FAILED, "cancelled"),
        (RouteStatus.QUEUED, None),
    ]
    assert listed[0].created_at == T0 + timedelta(minutes=2)
    assert listed[0].spec == new_request(h.alice).spec
    assert all(r.result is None for r in listed)


def test_history_pages_by_creation_time_then_id(h: Harness) -> None:
    # Given five requests, three created at the very same instant
    times = [T0, T0, T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)]
    for at in times:
        h.store.create(new_request(h.alice, at=at), None)
    everything = h.store.list_for_user(h.alice, LATER, limit=10)
    expected = sorted(everything, key=lambda r: (r.created_at, r.request_id), reverse=True)
    assert [r.request_id for r in everything] == [r.request_id for r in expected]
    # When they are read two at a time, each page starting after the last one's end
    pages, after = [], None
    while True:
        page = h.store.list_for_user(h.alice, LATER, limit=2, after=after)
        if not page:
            break
        pages.append(page)
        after = HistoryPosition(page[-1].created_at, page[-1].request_id)
    # Then every request comes exactly once, in the same order
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [r.request_id for p in pages for r in p] == [r.request_id for r in expected]


def test_history_of_a_user_with_no_requests_is_empty(h: Harness) -> None:
    h.store.create(new_request(h.alice), None)
    assert h.store.list_for_user(h.bob, LATER, limit=10) == []
    assert h.store.list_for_user(h.alice, LATER, limit=0) == []
