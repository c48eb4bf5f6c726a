"""Route status: the seed's allowed transitions and its message schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wildside.domain.route_status import (
    RouteStatus,
    StatusUpdate,
    can_transition,
    should_forward,
    updates_to_forward,
)

Q, R, S, F = RouteStatus.QUEUED, RouteStatus.RUNNING, RouteStatus.SUCCEEDED, RouteStatus.FAILED
AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (Q, R, True),
        (R, S, True),
        (R, F, True),
        (R, R, True),
        (Q, S, False),
        (Q, F, False),
        (Q, Q, False),
        (S, R, False),
        (S, F, False),
        (F, R, False),
        (F, S, False),
    ],
)
def test_transitions_follow_the_contract(
    current: RouteStatus, new: RouteStatus, allowed: bool
) -> None:
    assert can_transition(current, new) is allowed


def test_a_message_has_the_schema_fields() -> None:
    message = StatusUpdate("0f9c5d0e-4d7a-4a43-9c1e-2f6a1a1b2c3d", R, 40, AT).to_message()
    assert message == {
        "type": "route_generation_status",
        "request_id": "0f9c5d0e-4d7a-4a43-9c1e-2f6a1a1b2c3d",
        "status": "running",
        "progress": 40,
        "timestamp": "2026-11-30T12:00:00Z",
    }
    assert StatusUpdate.from_message(message) == StatusUpdate(message["request_id"], R, 40, AT)


def test_failures_carry_an_error_and_only_failures_do() -> None:
    assert StatusUpdate("r", F, 10, AT, error="timeout").to_message()["error"] == "timeout"
    with pytest.raises(ValueError, match="error"):
        StatusUpdate("r", F, 10, AT)
    with pytest.raises(ValueError, match="error"):
        StatusUpdate("r", S, 100, AT, error="no")
    with pytest.raises(ValueError, match="progress"):
        StatusUpdate("r", R, 101, AT)


def test_forwarding_drops_regressions_repeats_and_anything_after_the_end() -> None:
    queued = StatusUpdate("r", Q, 0, AT)
    running_10 = StatusUpdate("r", R, 10, AT)
    running_50 = StatusUpdate("r", R, 50, AT)
    done = StatusUpdate("r", S, 100, AT)
    assert should_forward(None, running_10)
    assert should_forward(queued, running_10)
    assert not should_forward(queued, queued)
    assert should_forward(running_10, running_50)
    assert not should_forward(running_50, running_10)  # a redelivered job starting over
    assert not should_forward(queued, done)  # queued -> succeeded skips running
    assert should_forward(running_50, done)
    assert not should_forward(done, running_50)


def test_a_jump_from_queued_to_the_end_is_bridged_through_running() -> None:
    queued = StatusUpdate("r", Q, 0, AT)
    failed = StatusUpdate("r", F, 0, AT, error="timeout")
    bridged = updates_to_forward(queued, failed)
    assert [u.status for u in bridged] == [R, F]
    assert updates_to_forward(None, failed) == [failed]
    assert updates_to_forward(failed, failed) == []
