"""PlanTour with opening hours: every stop open at its exact arrival, closed places skipped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from tests.fakes.clock import FakeClock
from tests.fakes.opening_calendar import FakeOpeningCalendar
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.support.route_results import legacy_document, sample_route_result
from tests.unit.test_plan_tour_alternatives import ENGINE, GRID, PLACES
from wildside.app.plan_tour import PlanTour
from wildside.domain.dedup import merge_duplicates
from wildside.domain.geo import GeoPoint
from wildside.domain.opening import HOURS_TAG
from wildside.domain.route_result import route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.tour import Tour
from wildside.ports.opening_calendar import HoursQuery
from wildside.ports.tour_engines import FixedTourEngines

START = GeoPoint(*GRID[0])
# Tuesday 8 December 2026 in Helsinki time (UTC+2), where the grid lies.
TUESDAY = datetime(2026, 12, 8, 0, 0, tzinfo=UTC) - timedelta(hours=2)
BEST = PLACES[-1]  # the best-scored place of the grid (0.76)


def _places(hours: dict[str, str]) -> list[Poi]:
    return [replace(p, tags={HOURS_TAG: hours[p.key]}) if p.key in hours else p for p in PLACES]


def _planner(places: list[Poi], clock: FakeClock | None = None) -> PlanTour:
    return PlanTour(
        pois=InMemoryPoiRepository(pois=places),
        engines=FixedTourEngines(ENGINE),
        clock=clock or FakeClock(),
        calendar=FakeOpeningCalendar(),
    )


def _spec(start_time: datetime | None, minutes: float = 40, seed: int = 0) -> RouteSpec:
    return RouteSpec.build(
        start=START,
        duration_minutes=minutes,
        preferences=["history"],
        seed=seed,
        start_time=start_time,
    )


def _assert_open_at_arrival(tour: Tour, places: list[Poi]) -> None:
    """Each stop's arrival is the legs and stays before it, and the calendar says open then."""
    clock_s = 0.0
    hours = {p.key: p.tags.get(HOURS_TAG) for p in places}
    assert tour.start_time is not None
    for stop, leg in zip(tour.stops, tour.legs, strict=False):
        clock_s += leg.duration_s
        assert stop.arrival_s == round(clock_s, 1)  # exact, as rounded for the walker
        (opening,) = FakeOpeningCalendar().openings(
            [HoursQuery(hours[stop.key], GeoPoint(stop.lat, stop.lng))],
            tour.start_time,
            tour.budget_s,
        )
        # (0.1 s of rounding either side of the arrival is no door shut in one's face)
        assert opening.state(stop.arrival_s + 0.1, stop.dwell_s - 0.2) != "closed"
        assert stop.opening.state == ("open" if opening.is_known else "unknown")
        assert stop.opening.hours == hours[stop.key]
        clock_s += stop.dwell_s


spans = st.tuples(st.integers(6, 22), st.sampled_from([15, 30, 60, 120, 480]))


@given(
    drawn=st.lists(st.one_of(st.none(), spans), min_size=len(PLACES), max_size=len(PLACES)),
    hour=st.integers(0, 23),
    minutes=st.sampled_from([20, 40, 60]),
    seed=st.integers(0, 3),
)
@settings(max_examples=40, deadline=None)
def test_no_stop_is_ever_visited_while_closed(
    drawn: list[tuple[int, int] | None], hour: int, minutes: int, seed: int
) -> None:
    # Given places open for random spans of the day (or with no hours at all)
    hours = {
        p.key: f"{h:02d}:00-{(h * 60 + length) // 60 % 24:02d}:{(h * 60 + length) % 60:02d}"
        for p, span in zip(PLACES, drawn, strict=True)
        if span is not None
        for h, length in [span]
    }
    places = _places(hours)
    # When a tour starts at a random hour
    tour = _planner(places)(_spec(TUESDAY + timedelta(hours=hour), minutes, seed))
    # Then every stop is open from its exact arrival until its visit ends, and within budget
    _assert_open_at_arrival(tour, places)
    assert tour.used_s <= tour.budget_s + 1e-6
    # And the closed places listed are the best first, at most ten, none of them visited
    scores = [p.score for p in tour.skipped]
    assert scores == sorted(scores, reverse=True)
    assert len(tour.skipped) <= 10
    assert not {p.key for p in tour.skipped} & {s.key for s in tour.stops}


def test_the_best_place_is_visited_when_open_and_skipped_when_closed() -> None:
    places = _places({BEST.key: "10:00-18:00"})
    planner = _planner(places)
    morning = planner(_spec(TUESDAY + timedelta(hours=10)))
    evening = planner(_spec(TUESDAY + timedelta(hours=19)))
    # In the morning it is a stop, open at arrival, with its hours
    (stop,) = [s for s in morning.stops if s.key == BEST.key]
    assert (stop.opening.state, stop.opening.hours) == ("open", "10:00-18:00")
    # In the evening it is left out, and listed first among the closed places
    assert BEST.key not in {s.key for s in evening.stops}
    assert [(p.key, p.hours, p.reason) for p in evening.skipped] == [
        (BEST.key, "10:00-18:00", "closed")
    ]
    # Places without hours say unknown
    assert {s.opening.state for s in evening.stops} == {"unknown"}


def test_a_place_closing_before_the_visit_ends_is_not_visited() -> None:
    # Given the best place, a walk away, closing ten minutes after the walk starts at 10:00
    places = _places({BEST.key: "08:00-10:10"})
    tour = _planner(places)(_spec(TUESDAY + timedelta(hours=10)))
    # Then it is not visited (the visit would outlast its hours) and is listed as closed
    assert BEST.key not in {s.key for s in tour.stops}
    assert BEST.key in {p.key for p in tour.skipped}


def test_without_hours_the_tour_is_the_one_planned_before_hours_existed() -> None:
    # Given no place with hours: the calendar changes nothing but the start time it reports
    clock = FakeClock(TUESDAY + timedelta(hours=12))
    with_calendar = _planner(PLACES, clock)(_spec(None))
    without = PlanTour(
        pois=InMemoryPoiRepository(pois=PLACES), engines=FixedTourEngines(ENGINE), clock=clock
    )(_spec(None))
    assert [s.key for s in with_calendar.stops] == [s.key for s in without.stops]
    assert with_calendar.skipped == without.skipped == ()
    # And the start time is when it was planned, on the start's clock (UTC for no calendar)
    assert with_calendar.start_time == clock.now()
    assert with_calendar.start_time is not None
    assert with_calendar.start_time.utcoffset() == timedelta(hours=2)


def test_a_tour_for_now_stays_open_for_every_start_in_its_quarter_hour() -> None:
    # Given the first stop of a 20-minute tour from 10:07, closing a minute or two after
    # that visit would end: in time for a start at 10:07, too late for one at 10:14
    at_ten_past = TUESDAY + timedelta(hours=10, minutes=7)
    first = _planner(PLACES)(_spec(at_ten_past, minutes=20)).stops[0]
    closes = at_ten_past + timedelta(seconds=first.arrival_s + first.dwell_s + 60)
    closes += timedelta(seconds=60 - closes.second)
    places = _places({first.key: f"08:00-{closes + timedelta(hours=2):%H:%M}"})
    # When the same tour is asked for at 10:07, and for "now" at 10:07
    stated = _planner(places)(_spec(at_ten_past, minutes=20))
    calendar = FakeOpeningCalendar()
    planner = PlanTour(
        pois=InMemoryPoiRepository(pois=places),
        engines=FixedTourEngines(ENGINE),
        clock=FakeClock(at_ten_past),
        calendar=calendar,
    )
    now = planner(_spec(None, minutes=20))
    # Then the stated tour visits it, open at arrival
    assert (stated.stops[0].key, stated.stops[0].opening.state) == (first.key, "open")
    # And the tour for "now" was checked from the quarter hour's start, fifteen minutes
    # longer, so it leaves the place out: it would be closed for a walker starting at 10:14
    (_, asked_from, horizon_s) = calendar.asked[0]
    assert (asked_from, horizon_s) == (TUESDAY + timedelta(hours=10), 20 * 60 + 900)
    assert first.key not in {s.key for s in now.stops}
    assert first.key in {p.key for p in now.skipped}
    assert now.start_time == at_ten_past


def test_the_result_says_each_stops_opening_and_older_results_read_as_unknown() -> None:
    places = _places({BEST.key: "10:00-18:00", PLACES[-2].key: "08:00-09:00"})
    result = route_result(_planner(places)(_spec(TUESDAY + timedelta(hours=10))))
    assert decode_route_result(encode_route_result(result)) == result
    assert result.start_time == TUESDAY + timedelta(hours=10)
    assert [(p.id, p.opening_hours, p.reason) for p in result.skipped] == [
        (PLACES[-2].key, "08:00-09:00", "closed")
    ]
    # And a result stored before these fields existed reads: stops unknown, nothing skipped
    stored = msgspec.to_builtins(sample_route_result())
    for name in ("start_time", "skipped"):
        stored.pop(name, None)
    for stop in stored["stops"]:
        stop.pop("opening", None)
    for old in (stored, legacy_document(sample_route_result())):
        read = decode_route_result(old)
        assert (read.start_time, read.skipped) == (None, ())
        assert {s.opening.state for s in read.stops} == {"unknown"}


def test_a_merged_place_keeps_the_hours_of_its_twin() -> None:
    # Given a library mapped twice: a popular node without hours, its building with them
    node = Poi("node/1", "Library", 60.0, 25.0, ("culture",), 0.9, {})
    way = Poi("way/2", "Library", 60.0001, 25.0, ("culture",), 0.5, {HOURS_TAG: "09:00-20:00"})
    # Then the place kept is the node, with the building's hours
    (merged,) = merge_duplicates([node, way])
    assert (merged.key, merged.tags.get(HOURS_TAG)) == ("node/1", "09:00-20:00")


def test_a_tour_emptied_by_closed_doors_says_so() -> None:
    # Given every place open only by day, and a walk at three in the morning
    places = _places({p.key: "10:00-18:00" for p in PLACES})
    tour = _planner(places)(_spec(TUESDAY + timedelta(hours=3)))
    # Then the tour is empty, says why in the walker's words, and lists the best of them
    assert tour.stops == []
    assert tour.notes == (
        "The tour has no stops.",
        f"All {len(PLACES)} places found are closed whenever the tour could get there"
        " (the best are listed as skipped).",
    )
    assert len(tour.skipped) == 10
    assert tour.skipped[0].key == BEST.key
