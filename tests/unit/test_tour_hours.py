"""TourHours against a scripted engine: re-solves without closed stops, sketches stay open."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.fakes.opening_calendar import FakeOpeningCalendar
from wildside.app.tour_hours import MAX_SOLVES, TourHours
from wildside.domain.geo import GeoPoint
from wildside.domain.opening import HOURS_TAG
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi, ScoredPoi
from wildside.domain.tour import TourStop
from wildside.ports.tour_engine import (
    ImprovementCallback,
    OrienteeringProblem,
    OrienteeringSolution,
    ProgressCallback,
)

HERE = GeoPoint(60.17, 24.94)
SEVEN_PM = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)  # 19:00 in Helsinki


def _place(index: int, hours: str | None, score: float = 0.5) -> ScoredPoi:
    tags = {} if hours is None else {HOURS_TAG: hours}
    poi = Poi(f"node/{index}", f"Place {index}", HERE.lat, HERE.lng, (), 0.5, tags)
    return ScoredPoi(poi, score, "attraction", 600.0, ())


# The start (0), then three places 5 minutes apart on a line; 10-minute visits.
PLACES = [_place(1, "08:00-19:20"), _place(2, None), _place(3, "19:00-23:00", 0.9)]
SECONDS = [[abs(a - b) * 300.0 for b in range(4)] for a in range(4)]
PROBLEM = OrienteeringProblem(
    scores=[0.0, 0.5, 0.5, 0.9],
    costs=SECONDS,
    service=[0.0, 600.0, 600.0, 600.0],
    start=0,
    end=0,
    budget=3600.0,
    seed=0,
    max_iterations=10,
    time_limit_s=1.0,
)


@dataclass
class ScriptedEngine:
    """Answers each solve with the next route, after showing it as a better tour."""

    routes: list[list[int]]
    problems: list[OrienteeringProblem] = field(default_factory=list)

    def solve(
        self,
        problem: OrienteeringProblem,
        progress: ProgressCallback | None = None,
        improved: ImprovementCallback | None = None,
    ) -> OrienteeringSolution:
        self.problems.append(problem)
        route = self.routes[len(self.problems) - 1]
        if improved is not None:
            improved(route, 1.0)
        return OrienteeringSolution(route, 1.0, 0.0, 10, is_time_limited=False)


def _hours(places: Sequence[ScoredPoi] = PLACES) -> TourHours:
    spec = RouteSpec.build(start=HERE, duration_minutes=60, start_time=SEVEN_PM)
    return TourHours(FakeOpeningCalendar(), spec, places, SEVEN_PM)


def _stop(place: ScoredPoi) -> TourStop:
    poi = place.poi
    return TourStop(poi.key, poi.name, poi.lat, poi.lng, (), place.score, 0.0, 600.0, "")


def test_a_stop_closed_at_arrival_is_solved_around() -> None:
    # Given a first answer that reaches place 1 after it closes at 19:20 (arrival 19:25)
    engine = ScriptedEngine([[0, 2, 1, 0], [0, 2, 3, 0]])
    sketches: list[list[int]] = []
    hours = _hours()
    solution = hours.solve(
        engine,  # type: ignore[arg-type]
        PROBLEM,
        PLACES,
        improved=lambda route, _score: sketches.append(route),
    )
    # Then the engine is asked again, with place 1 worth nothing, and its answer is kept
    assert [p.scores for p in engine.problems] == [[0.0, 0.5, 0.5, 0.9], [0.0, 0.0, 0.5, 0.9]]
    assert solution.route == [0, 2, 3, 0]
    assert solution.iterations == 20  # both searches count
    # And followers saw the first answer without its closed stop
    assert sketches == [[0, 2, 0], [0, 2, 3, 0]]
    # And the stops say what is known, and the closed place is listed
    marked = hours.mark([_stop(PLACES[1]), _stop(PLACES[2])])
    assert [(s.opening.state, s.opening.hours) for s in marked] == [
        ("unknown", None),
        ("open", "19:00-23:00"),
    ]
    assert [(p.key, p.hours) for p in hours.skipped(marked)] == [("node/1", "08:00-19:20")]


def test_the_solves_are_bounded_and_the_last_answer_is_made_open() -> None:
    # Given an engine that keeps answering with a closed stop
    engine = ScriptedEngine([[0, 2, 1, 0]] * MAX_SOLVES)
    solution = _hours().solve(engine, PROBLEM, PLACES)  # type: ignore[arg-type]
    # Then it is asked at most MAX_SOLVES times, and the closed stop is removed at the end
    assert len(engine.problems) == MAX_SOLVES
    assert solution.route == [0, 2, 0]
    assert solution.score == 0.5


def test_places_closed_all_tour_take_no_candidate_slot() -> None:
    places = [*PLACES, _place(4, "08:00-17:00")]
    hours = _hours(places)
    assert [p.poi.key for p in hours.open_places(places)] == ["node/1", "node/2", "node/3"]


def test_a_place_no_arrival_finds_open_is_worth_nothing_one_out_of_reach_is_not_closed() -> None:
    # Given place 1 closing at 19:05, five minutes' walk away (its 10-minute visit cannot
    # fit), and place 3 open all evening but beyond the budget's reach
    places = [_place(1, "08:00-19:05"), _place(2, None), _place(3, "19:00-23:00", 0.9)]
    seconds = [[0.0, 300.0, 300.0, 9e3], [300.0, 0, 0, 0], [300.0, 0, 0, 0], [9e3, 0, 0, 0]]
    problem = OrienteeringProblem(
        [0.0, 0.5, 0.5, 0.9], seconds, [0.0, 600.0, 600.0, 600.0], 0, 0, 3600.0, 0, 10, 1.0
    )
    engine = ScriptedEngine([[0, 2, 0]])
    hours = _hours(places)
    hours.solve(engine, problem, places)  # type: ignore[arg-type]
    # Then place 1 is worth nothing from the first solve on, and listed as closed;
    # place 3 is left to the solver (it cannot reach it) and is not called closed
    assert engine.problems[0].scores == [0.0, 0.0, 0.5, 0.9]
    assert [p.key for p in hours.skipped([])] == ["node/1"]


def test_the_start_time_is_on_the_starts_clock() -> None:
    assert _hours().start_time.isoformat() == "2026-12-08T19:00:00+02:00"
