"""The solver's better routes as they are found, and PlanTour's sketches of them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.unit.test_end_anywhere import _plan, _spec
from wildside.domain.route_candidate import TourSketch
from wildside.domain.solver.api import solve_op


@pytest.mark.parametrize("seed", range(4))
def test_the_solver_reports_only_improvements_each_feasible_and_never_above_the_result(
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0.0, 10.0, size=(60, 2))
    travel = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    scores = [0.0, *rng.uniform(1.0, 5.0, size=59)]
    seen: list[tuple[list[int], float]] = []
    solution = solve_op(
        scores,
        travel,
        0,
        0,
        25.0,
        seed=seed,
        max_iterations=400,
        time_limit=60.0,
        improved=lambda route, score: seen.append((route, score)),
    )
    assert seen  # the construction's tour counts as the first improvement
    values = [score for _, score in seen]
    assert values == sorted(set(values))  # strictly better each time
    for route, score in seen:
        assert route[0] == route[-1] == 0
        assert len(set(route[1:-1])) == len(route) - 2
        walk = sum(travel[a, b] for a, b in itertools.pairwise(route))
        assert walk <= 25.0 + 1e-6
        assert score == pytest.approx(sum(scores[i] for i in set(route)))
    assert solution.score >= values[-1] - 1e-9


@pytest.mark.parametrize("anywhere", [False, True])
def test_plan_tour_sketches_each_better_tour_and_the_tour_scores_at_least_the_last(
    anywhere: bool,
) -> None:
    sketches: list[TourSketch] = []
    tour = _plan()(_spec(end_anywhere=anywhere), on_candidate=sketches.append)
    assert sketches
    assert [s.score for s in sketches] == sorted({s.score for s in sketches})
    assert round(tour.score, 6) >= sketches[-1].score
    known = {stop.key for stop in tour.stops} | {f"node/{i}" for i in range(1, 30)}
    for sketch in sketches:
        assert {stop.id for stop in sketch.stops} <= known
        assert sketch.path[0] == [tour.start.lng, tour.start.lat]
        last = sketch.stops[-1] if sketch.stops else None
        if anywhere and last is not None:
            assert sketch.path[-1] == [last.lng, last.lat]
        else:
            assert sketch.path[-1] == [tour.start.lng, tour.start.lat]
