"""The solver stops when its progress callback asks, returning its best feasible route."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.test_op_solver import _assert_valid, _euclidean
from wildside.domain.solver import solve_op, warm_up


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    warm_up()  # compiling the kernels must not eat the time limits below


def _instance(n: int = 120, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0.0, 10.0, size=(n, 2))
    scores = rng.uniform(0.1, 1.0, size=n)
    scores[0] = 0.0
    return scores, _euclidean(points)


def test_a_stop_request_ends_the_search_with_a_feasible_route() -> None:
    scores, cost = _instance()
    calls: list[int] = []

    def stop_at_the_third_report(percent: int, best: float) -> bool:
        calls.append(percent)
        return len(calls) >= 3

    solution = solve_op(
        scores,
        cost,
        0,
        0,
        25.0,
        max_iterations=10_000_000,
        time_limit=600.0,
        progress=stop_at_the_third_report,
    )
    # Then it stopped there (plus the final 100 % report), far short of its budget
    assert solution.is_stopped_early
    assert not solution.is_time_limited
    assert len(calls) == 4
    assert calls[-1] == 100
    assert solution.iterations < 10_000_000
    _assert_valid(solution, scores, cost, 0, 0, 25.0)
    assert solution.score > 0.0  # the construction alone already visits stops


def test_a_callback_that_returns_nothing_never_stops_the_search() -> None:
    scores, cost = _instance()
    solution = solve_op(
        scores,
        cost,
        0,
        0,
        25.0,
        max_iterations=200,
        time_limit=600.0,
        progress=lambda percent, best: None,
    )
    assert not solution.is_stopped_early
    assert solution.iterations == 200
