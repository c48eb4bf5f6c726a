"""The orienteering solver: hard invariants, exact optimum on tiny cases, determinism, errors."""

from __future__ import annotations

import itertools
import json
import math
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wildside.domain.errors import WildsideError
from wildside.domain.orienteering import InvalidProblemError
from wildside.domain.solver import InfeasibleBudgetError, OpSolution, solve_op, warm_up

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "op-bench"
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def _euclidean(points: np.ndarray) -> np.ndarray:
    diff = points[:, None, :] - points[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def _route_cost(cost: np.ndarray, route: list[int], service: np.ndarray | None = None) -> float:
    total = sum(float(cost[a, b]) for a, b in itertools.pairwise(route))
    if service is not None:
        total += sum(float(service[v]) for v in route[1:-1])
    return total


def _assert_valid(
    solution: OpSolution,
    scores: np.ndarray,
    cost: np.ndarray,
    start: int,
    end: int,
    budget: float,
    service: np.ndarray | None = None,
) -> None:
    route = solution.route
    assert route[0] == start
    assert route[-1] == end
    assert all(0 <= v < len(scores) for v in route)
    stops = route[:-1] if start == end else route
    assert len(set(stops)) == len(stops)
    if start != end:
        assert len(route) >= 2
    exact = _route_cost(cost, route, service)
    assert exact <= budget + 1e-9
    assert solution.cost == pytest.approx(exact, abs=1e-9)
    assert solution.score == pytest.approx(float(scores[list(set(route))].sum()))


def _brute_force(
    scores: np.ndarray, cost: np.ndarray, start: int, end: int, budget: float
) -> float:
    optional = [v for v in range(len(scores)) if v not in (start, end)]
    base = float(scores[start] + (scores[end] if end != start else 0.0))
    best = base

    def extend(last: int, spent: float, collected: float, used: int) -> None:
        nonlocal best
        best = max(best, collected)
        for k, v in enumerate(optional):
            if used >> k & 1:
                continue
            reach = spent + cost[last, v]
            if reach + cost[v, end] <= budget + 1e-9:
                extend(v, reach, collected + scores[v], used | 1 << k)

    if cost[start, end] <= budget + 1e-9:
        extend(start, 0.0, base, 0)
    return best


@st.composite
def instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, int, float, np.ndarray | None]:
    n = draw(st.integers(1, 12))
    coords = draw(
        st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=n, max_size=n)
    )
    scores = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), dtype=float)
    cost = _euclidean(np.array(coords, dtype=float))
    start = draw(st.integers(0, n - 1))
    end = draw(st.integers(0, n - 1))
    budget = cost[start, end] + draw(st.floats(0.0, 60.0))
    service = None
    if draw(st.booleans()):
        service = np.array(draw(st.lists(st.floats(0.0, 3.0), min_size=n, max_size=n)))
    return scores, cost, start, end, budget, service


@settings(max_examples=120, deadline=None)
@given(instances(), st.integers(0, 3))
def test_route_is_always_feasible_and_well_formed(
    case: tuple[np.ndarray, np.ndarray, int, int, float, np.ndarray | None], seed: int
) -> None:
    scores, cost, start, end, budget, service = case
    solution = solve_op(
        scores,
        cost,
        start,
        end,
        budget,
        seed=seed,
        max_iterations=15,
        time_limit=30.0,
        service=service,
    )
    _assert_valid(solution, scores, cost, start, end, budget, service)
    assert not solution.is_time_limited


@settings(max_examples=25, deadline=None)
@given(instances(), st.integers(0, 1000))
def test_same_seed_and_iterations_give_the_same_route(
    case: tuple[np.ndarray, np.ndarray, int, int, float, np.ndarray | None], seed: int
) -> None:
    scores, cost, start, end, budget, service = case
    runs = [solve_op(scores, cost, start, end, budget, seed=seed, max_iterations=30,
                     time_limit=30.0, service=service) for _ in range(2)]  # fmt: skip
    assert runs[0].route == runs[1].route
    assert runs[0].iterations == runs[1].iterations


@pytest.mark.parametrize("case", range(60))
def test_matches_brute_force_on_tiny_instances(case: int) -> None:
    rng = np.random.default_rng(case)
    n = int(rng.integers(4, 10))
    cost = _euclidean(rng.uniform(0, 10, size=(n, 2)))
    scores = rng.integers(1, 10, size=n).astype(float)
    start = 0
    end = 0 if case % 2 else 1
    budget = float(cost[start, end] + rng.uniform(5, 25))
    solution = solve_op(
        scores, cost, start, end, budget, seed=case, max_iterations=300, time_limit=30.0
    )
    _assert_valid(solution, scores, cost, start, end, budget)
    assert solution.score == pytest.approx(_brute_force(scores, cost, start, end, budget))


def _long_instance(
    seed: int, *, closed: bool, with_service: bool
) -> tuple[np.ndarray, np.ndarray, int, int, float, np.ndarray | None]:
    """300 random points and a budget of about half a tour: routes of 100+ stops."""
    rng = np.random.default_rng(seed)
    cost = _euclidean(rng.uniform(0, 1000, size=(300, 2)))
    scores = rng.integers(0, 100, size=300).astype(float)
    service = rng.uniform(0.0, 5.0, size=300) if with_service else None
    return scores, cost, 0, 0 if closed else 1, 6000.0, service


@pytest.mark.parametrize(("closed", "with_service"), [(True, False), (False, True)])
def test_long_routes_are_feasible_and_deterministic(closed: bool, with_service: bool) -> None:
    # Long routes use the focused 2-opt/or-opt and the incremental insertion cache.
    scores, cost, start, end, budget, service = _long_instance(
        5, closed=closed, with_service=with_service
    )
    runs = [solve_op(scores, cost, start, end, budget, seed=3, max_iterations=60,
                     time_limit=60.0, service=service) for _ in range(2)]  # fmt: skip
    _assert_valid(runs[0], scores, cost, start, end, budget, service)
    assert len(runs[0].route) > 100
    assert runs[0].route == runs[1].route
    assert not runs[0].is_time_limited


@pytest.mark.parametrize("threads", [1, 2])
def test_long_time_limited_solve_keeps_the_clock(threads: int) -> None:
    warm_up()
    scores, cost, start, end, budget, _ = _long_instance(6, closed=True, with_service=False)
    solution = solve_op(scores, cost, start, end, budget, seed=1, time_limit=0.5, threads=threads)
    _assert_valid(solution, scores, cost, start, end, budget)
    assert solution.is_time_limited
    assert solution.seconds < 0.6


def test_incremental_cache_holds_real_costs_and_slicing_changes_nothing() -> None:
    from wildside.domain.solver import layout
    from wildside.domain.solver.construction import near_insertion
    from wildside.domain.solver.neighbors import neighbor_lists, reverse_lists
    from wildside.domain.solver.repair import CACHED, CACHED_LEN
    from wildside.domain.solver.runner import Problem, Walker

    scores, cost, start, end, budget, _ = _long_instance(7, closed=False, with_service=False)
    candidates = np.flatnonzero(scores > 0)
    candidates = candidates[(candidates != start) & (candidates != end)].astype(np.int64)
    neighbors = neighbor_lists(cost, candidates, 12, 4)
    reverse_start, reverse_nodes = reverse_lists(neighbors, candidates, len(scores))
    params = np.zeros(layout.PARAM_COUNT)
    params[[layout.LIMIT, layout.EPS, layout.TINY_COST]] = budget, 1e-12 * budget, 1e-9 * budget
    params[[layout.TEMPERATURE, layout.MAX_DESTROY_SHARE, layout.OVERFILL_SHARE]] = 25, 0.5, 0.3
    limits = np.array([3000, 80], dtype=np.int64)
    problem = Problem(cost, scores, candidates, neighbors, reverse_start, reverse_nodes,
                      params, limits, float(scores.sum()))  # fmt: skip
    walker = Walker(problem, start, end, 12345)
    whole = Walker(problem, start, end, 12345)
    whole._slice(40)
    for _ in range(40):
        walker._slice(1)
        _, delta, where = walker.state
        work, lengths, _ = walker.workspace
        length = int(lengths[CACHED_LEN])
        route = work[CACHED, :length].copy()
        position = np.full(len(scores), -1, dtype=np.int64)
        position[route] = np.arange(length)
        for v in candidates:
            if position[v] >= 0:
                continue
            a, b = route[where[v]], route[where[v] + 1]
            assert delta[v] == pytest.approx(cost[v, a] + cost[v, b] - cost[a, b], abs=1e-6)
            if (position[neighbors[v]] >= 0).any():
                # Near candidates find at least what a fresh near refresh would.
                fresh, _ = near_insertion(cost, route, length, int(v), neighbors, position)
                assert delta[v] <= fresh + 1e-6
    # The slices the clock cuts never change the search: all its state is carried over.
    assert walker.best() == whole.best()
    assert walker.rng[0] == whole.rng[0]


def test_closed_tour_counts_the_depot_once() -> None:
    cost = _euclidean(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    solution = solve_op([5.0, 1.0, 1.0], cost, 0, 0, 10.0, max_iterations=5)
    assert solution.route[0] == solution.route[-1] == 0
    assert solution.score == 7.0
    assert sorted(solution.route) == [0, 0, 1, 2]


def test_single_node_tour_and_tight_budget() -> None:
    assert solve_op([3.0], [[0.0]], 0, 0, 0.0, max_iterations=2).route == [0, 0]
    cost = _euclidean(np.array([[0.0, 0.0], [5.0, 0.0], [1.0, 1.0]]))
    solution = solve_op([0.0, 0.0, 9.0], cost, 0, 1, 5.0, max_iterations=5)
    assert solution.route == [0, 1]  # the detour does not fit


def test_slightly_asymmetric_costs_never_overspend() -> None:
    rng = np.random.default_rng(7)
    cost = _euclidean(rng.uniform(0, 10, size=(30, 2)))
    cost = cost * (1.0 + 0.01 * rng.uniform(-1, 1, size=cost.shape))
    np.fill_diagonal(cost, 0.0)
    scores = rng.integers(1, 10, size=30).astype(float)
    for budget in (10.0, 20.0, 35.0):
        for start, end in ((0, 0), (0, 1)):
            solution = solve_op(scores, cost, start, end, budget, max_iterations=50)
            _assert_valid(solution, scores, cost, start, end, budget)


def test_service_time_is_paid_by_visited_stops_only() -> None:
    cost = _euclidean(np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]))
    service = np.array([100.0, 100.0, 1.0, 50.0])
    solution = solve_op([0.0, 0.0, 1.0, 5.0], cost, 0, 1, 3.5, service=service, max_iterations=20)
    assert solution.route == [0, 2, 1]
    assert solution.cost == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": [1.0, math.nan]}, "finite"),
        ({"scores": [1.0, -1.0]}, "negative"),
        ({"scores": [[1.0, 2.0]]}, "1-D"),
        ({"cost": [[0.0, 1.0]]}, "2x2"),
        ({"cost": [[0.0, math.inf], [1.0, 0.0]]}, "finite"),
        ({"cost": [[0.0, -1.0], [1.0, 0.0]]}, "negative"),
        ({"budget": -1.0}, "non-negative"),
        ({"budget": math.nan}, "finite"),
        ({"start": 2}, "outside"),
        ({"end": -1}, "outside"),
        ({"service": [1.0]}, "2 values"),
        ({"max_iterations": -3}, "max_iterations"),
        ({"time_limit": 0.0}, "time_limit"),
        ({"time_limit": math.inf}, "finite"),
        ({"threads": 0}, "threads"),
    ],
)
def test_invalid_inputs_are_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "scores": [0.0, 1.0], "cost": [[0.0, 1.0], [1.0, 0.0]], "start": 0, "end": 1,
        "budget": 5.0,
    }  # fmt: skip
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        solve_op(**arguments)  # type: ignore[arg-type]


def test_budget_below_the_direct_trip_raises_infeasible() -> None:
    # Given a direct trip of 4 and a budget of 3
    # When the solver is asked for a route
    with pytest.raises(InfeasibleBudgetError, match="direct trip") as raised:
        solve_op([0.0, 0.0], [[0.0, 4.0], [4.0, 0.0]], 0, 1, 3.0)
    # Then it is a Wildside error nobody should retry, with the facts attached
    assert isinstance(raised.value, WildsideError)
    assert not raised.value.is_retryable
    assert raised.value.code == "infeasible-budget"
    assert (raised.value.direct_cost, raised.value.budget) == (4.0, 3.0)


def test_invalid_inputs_are_wildside_errors() -> None:
    with pytest.raises(InvalidProblemError) as raised:
        solve_op([1.0, math.nan], [[0.0, 1.0], [1.0, 0.0]], 0, 1, 5.0)
    assert isinstance(raised.value, WildsideError)
    assert raised.value.code == "invalid-engine-problem"


def test_progress_reports_monotone_percent_and_best_score() -> None:
    warm_up()
    rng = np.random.default_rng(3)
    cost = _euclidean(rng.uniform(0, 100, size=(120, 2)))
    scores = rng.integers(1, 100, size=120).astype(float)
    calls: list[tuple[int, float]] = []
    solution = solve_op(
        scores, cost, 0, 0, 300.0, time_limit=0.3, progress=lambda p, b: calls.append((p, b))
    )
    assert solution.is_time_limited
    assert len(calls) >= 3
    percents = [p for p, _ in calls]
    bests = [b for _, b in calls]
    assert percents == sorted(percents)
    assert all(0 <= p <= 100 for p in percents)
    assert percents[-1] == 100
    assert bests == sorted(bests)
    assert bests[-1] == solution.score
    assert solution.seconds < 0.6


@pytest.mark.skipif(
    not DATA.is_dir(), reason=f"shared OP benchmark not present at {DATA.resolve()}"
)
@pytest.mark.parametrize(
    ("relative", "bks"),
    [
        ("tsiligirides/set1/tsiligirides_problem_1_budget_15.txt", 45),
        ("chao/set_64/set_64_1_45.txt", 816),
        ("oplib-samples/gen3/eil51-gen3-50.oplib", 1399),
        ("oplib-samples/gen1/att48-gen1-50.oplib", 31),
    ],
)
def test_reaches_best_known_on_shared_instances(relative: str, bks: int) -> None:
    import op_instances as oi

    instance = oi.read_instance(DATA / relative, relative)
    assert instance is not None
    solution = solve_op(
        instance.scores,
        oi.cost_matrix(instance),
        instance.start,
        instance.end,
        instance.budget,
        max_iterations=3000,
        time_limit=30.0,
    )
    feasible, score, _, reason = oi.evaluate(instance, solution.route)
    assert feasible, reason
    assert score == bks


def test_huge_no_path_costs_never_stall_the_search() -> None:
    # Rounding noise on 1e12 stand-ins once exceeded the move tolerance and
    # a 2-opt pass cycled inside one numba call, past every time limit.
    data = json.loads((Path(__file__).parent / "data" / "op_unusable_pairs.json").read_text())
    cost = np.array(data["cost"])
    cost[cost < 0] = 1e12
    outcome: list[OpSolution] = []
    arguments = (data["scores"], cost, 0, 0, data["budget"])

    def run() -> None:
        outcome.append(solve_op(*arguments, seed=3, time_limit=2.0, max_iterations=1500,
                                service=data["service"]))  # fmt: skip

    worker = threading.Thread(target=run, daemon=True)  # a stalled kernel cannot be interrupted
    worker.start()
    worker.join(timeout=20.0)
    assert outcome, "the solve did not return"
    _assert_valid(outcome[0], np.array(data["scores"]), cost, 0, 0, data["budget"],
                  np.array(data["service"]))  # fmt: skip
    assert outcome[0].iterations == 1500
    assert not outcome[0].is_time_limited
