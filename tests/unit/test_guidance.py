"""Live guidance, the pure decision: next stop, arrival, off-route, schedule, and only forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.walks import PACE_M_S, at, walk_route
from wildside.domain.followed_route import FollowedRoute, followed_route
from wildside.domain.geo import GeoPoint
from wildside.domain.guidance import (
    Guidance,
    GuidanceKind,
    GuidancePolicy,
    LocationFix,
    ScheduleStatus,
    WalkProgress,
    guide,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
POLICY = GuidancePolicy()
# One kilometre east, stops at 300 m and 700 m.
STRAIGHT = followed_route(walk_route([(0, 0), (1000, 0)], [300, 700]))


class Walker:
    """Sends fixes to ``guide`` and keeps the walk's state between them, as a connection does."""

    def __init__(self, route: FollowedRoute) -> None:
        self.route = route
        self.state: WalkProgress | None = None

    def fix(
        self, east: float, north: float, *, minutes: float = 0.0, accuracy: float = 5.0
    ) -> Guidance:
        lat, lng = at(east, north)
        when = T0 + timedelta(minutes=minutes)
        guidance, self.state = guide(
            self.route, self.state, LocationFix(GeoPoint(lat, lng), accuracy, when), POLICY
        )
        return guidance


def test_at_the_start_the_next_stop_is_the_first_along_the_path() -> None:
    # Given a walker at the start of a straight route
    answer = Walker(STRAIGHT).fix(0, 0)
    # Then the next stop is the first, 300 m along the path, at the plan's pace
    assert answer.kind is GuidanceKind.NEXT_STOP
    assert answer.next.stop is not None
    assert answer.next.stop.id == "node/1"
    assert answer.next.distance_m == pytest.approx(300, abs=1)
    assert answer.next.walking_s == pytest.approx(300 / PACE_M_S, rel=0.01)
    assert (answer.schedule.status, answer.schedule.minutes) == (ScheduleStatus.ON_TIME, 0)


def test_arriving_gives_the_stops_reason_as_the_tip_then_points_on() -> None:
    walker = Walker(STRAIGHT)
    walker.fix(0, 0)
    # When the walker reaches the first stop (4 minutes on, as planned)
    answer = walker.fix(298, 3, minutes=4)
    # Then they have arrived, with the stop's "why", and the next stop is 400 m on
    assert answer.kind is GuidanceKind.ARRIVED
    assert answer.arrived is not None
    assert answer.arrived.reason == "why stop 1"
    assert answer.visited == ("node/1",)
    assert answer.next.stop is not None
    assert answer.next.stop.id == "node/2"
    assert answer.next.distance_m == pytest.approx(400, abs=5)
    # And a second fix at the same stop is no second arrival
    assert walker.fix(300, 0, minutes=6).kind is GuidanceKind.NEXT_STOP


def test_off_the_path_the_way_back_is_the_nearest_point_of_the_path() -> None:
    walker = Walker(STRAIGHT)
    walker.fix(0, 0)
    walker.fix(300, 0, minutes=4)
    # When the walker, past the first stop, is 120 m north of the path halfway along
    answer = walker.fix(500, 120, minutes=15)
    # Then they are off the route; the way back is due south, 120 m, to the path at 500 m
    assert answer.kind is GuidanceKind.OFF_ROUTE
    back = answer.way_back
    assert back is not None
    assert back.distance_m == pytest.approx(120, abs=1)
    assert back.bearing_deg == pytest.approx(180, abs=1)
    assert (back.lat, back.lng) == pytest.approx(at(500, 0), abs=1e-6)
    # And the distance to the next stop counts the way back and the path from there
    assert answer.next.stop is not None
    assert answer.next.stop.id == "node/2"
    assert answer.next.distance_m == pytest.approx(120 + 200, abs=2)
    # And the walk's progress stays where the path was left
    assert answer.progress_m == pytest.approx(300, abs=2)


def test_the_end_after_every_stop_is_finished() -> None:
    walker = Walker(STRAIGHT)
    for east, minutes in [(0, 0), (300, 4), (700, 19), (1000, 33)]:
        answer = walker.fix(east, 0, minutes=minutes)
    assert answer.kind is GuidanceKind.FINISHED
    assert answer.next.stop is None
    assert answer.visited == ("node/1", "node/2")


def test_behind_and_ahead_of_schedule_by_whole_minutes_outside_the_dead_band() -> None:
    # Planned: 150 m at 1.25 m/s is 2 minutes in
    late = Walker(STRAIGHT)
    late.fix(0, 0)
    behind = late.fix(150, 0, minutes=12)
    assert (behind.schedule.status, behind.schedule.minutes) == (ScheduleStatus.BEHIND, 10)
    quick = Walker(STRAIGHT)
    quick.fix(0, 0)
    # 600 m is planned at 8 min of walking plus the first stop's 10-minute visit
    ahead = quick.fix(600, 0, minutes=10)
    assert (ahead.schedule.status, ahead.schedule.minutes) == (ScheduleStatus.AHEAD, 8)
    close = Walker(STRAIGHT)
    close.fix(0, 0)
    assert close.fix(150, 0, minutes=3.5).schedule.status is ScheduleStatus.ON_TIME


def test_during_a_planned_visit_any_time_is_on_time() -> None:
    walker = Walker(STRAIGHT)
    walker.fix(0, 0)
    walker.fix(300, 0, minutes=4)
    lingering = walker.fix(301, 2, minutes=13)  # the visit is planned for 10 minutes
    assert lingering.schedule.status is ScheduleStatus.ON_TIME


def test_a_walk_first_seen_midway_is_on_time_there() -> None:
    # Given a client that reconnects with the walker halfway along
    answer = Walker(STRAIGHT).fix(500, 0, minutes=0)
    # Then the plan's clock is set so they are on time, and the first stop counts as passed
    assert answer.schedule.status is ScheduleStatus.ON_TIME
    assert answer.next.stop is not None
    assert answer.next.stop.id == "node/2"
    assert answer.visited == ()


def test_a_loop_never_jumps_back_to_its_first_pass() -> None:
    # Given an out-and-back route: 600 m east and back, one stop at the far end
    route = followed_route(walk_route([(0, 0), (600, 0), (0, 0)], [600]))
    walker = Walker(route)
    # The first fix at the start is the start, not the end that shares its place
    assert walker.fix(0, 0).progress_m == pytest.approx(0, abs=1)
    walker.fix(600, 0, minutes=8)
    # When the walker comes back past 100 m from the start
    answer = walker.fix(100, 0, minutes=25)
    # Then they are 1 100 m along (on the way back), never at 100 m again
    assert answer.progress_m == pytest.approx(1100, abs=2)
    assert answer.next.stop is None
    assert answer.next.distance_m == pytest.approx(100, abs=2)


def test_a_coarse_fix_widens_the_arrival_radius() -> None:
    sharp, coarse = Walker(STRAIGHT), Walker(STRAIGHT)
    assert sharp.fix(300, 40, accuracy=0).kind is not GuidanceKind.ARRIVED
    assert coarse.fix(300, 40, accuracy=20).kind is GuidanceKind.ARRIVED


def test_walking_to_a_stop_set_back_from_the_path_is_not_off_route() -> None:
    # Given a stop 90 m north of the path (a museum in a park)
    route = followed_route(walk_route([(0, 0), (1000, 0)], [400], set_back_m=90))
    walker = Walker(route)
    walker.fix(0, 0)
    # When the walker leaves the path towards it
    answer = walker.fix(400, 50, minutes=6)
    # Then they are on their way, not lost, and the distance is what is left to walk
    assert answer.kind is GuidanceKind.NEXT_STOP
    assert answer.next.distance_m == pytest.approx(40, abs=2)
    assert walker.fix(400, 88, minutes=7).kind is GuidanceKind.ARRIVED


def test_a_stop_walked_past_without_arriving_is_passed_not_visited() -> None:
    walker = Walker(STRAIGHT)
    walker.fix(0, 0)
    answer = walker.fix(450, 0, minutes=6)  # 150 m beyond the first stop, never within 30 m
    assert answer.next.stop is not None
    assert answer.next.stop.id == "node/2"
    assert answer.visited == ()


def test_the_remaining_budget_counts_down_from_the_routes_budget() -> None:
    route = followed_route(walk_route([(0, 0), (1000, 0)], [300], budget_s=3600))
    walker = Walker(route)
    walker.fix(0, 0)
    assert walker.fix(100, 0, minutes=15).remaining_s == pytest.approx(2700)


def test_a_fix_without_a_time_zone_or_with_a_bad_accuracy_is_refused() -> None:
    from wildside.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        LocationFix(GeoPoint(60.17, 24.94), 5.0, datetime(2026, 6, 1, 9, 0))
    with pytest.raises(InvalidInputError):
        LocationFix(GeoPoint(60.17, 24.94), float("nan"), T0)


def test_after_a_visit_the_plan_counts_the_visit_as_done() -> None:
    # Given a walker who arrived on time and then left the path at the stop
    walker = Walker(STRAIGHT)
    walker.fix(0, 0)
    walker.fix(300, 0, minutes=4)
    lost = walker.fix(300, 200, minutes=19)
    # Then the plan at that point is the end of the 10-minute visit (14 min), not the arrival
    assert lost.kind is GuidanceKind.OFF_ROUTE
    assert lost.schedule.planned_s == pytest.approx(840)
    assert (lost.schedule.status, lost.schedule.minutes) == (ScheduleStatus.BEHIND, 5)
