"""The solver's fast kernels against their exhaustive twins, on random instances (issue 18, item 3).

Long routes use neighbour-list 2-opt (``focused``), a fast swap search
(``exchange.find_swap_fast``) and an incrementally kept insertion cache
(``insertion_cache``); short routes use the exhaustive ``two_opt``,
``local_search._find_swap`` and ``construction.refresh_insertions``. Each
pair is checked here for what the fast one promises: the same answer where it
must be the same, never a move the exhaustive one would reject, and a real
(never optimistic) cost wherever it keeps one.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wildside.domain.solver.construction import (
    cheapest_insertion,
    insert_and_update,
    near_insertion,
    refresh_insertions,
    refresh_insertions_near,
)
from wildside.domain.solver.exchange import find_swap_fast
from wildside.domain.solver.focused import _two_opt_at, focused_shorten
from wildside.domain.solver.insertion_cache import insert_near_update, sync_insertions
from wildside.domain.solver.local_search import _find_swap
from wildside.domain.solver.neighbors import neighbor_lists, reverse_lists
from wildside.domain.solver.route_ops import route_cost, set_positions
from wildside.domain.solver.two_opt import two_opt

EPS = 1e-12

seeds = st.integers(0, 2**32 - 1)


def _instance(seed: int, n: int) -> tuple[np.random.Generator, np.ndarray, np.ndarray]:
    """Points in the unit square (Euclidean, symmetric); candidates are every node but 0 and 1."""
    rng = np.random.default_rng(seed)
    points = rng.random((n, 2))
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    return rng, np.ascontiguousarray(dist), np.arange(2, n, dtype=np.int64)


def _route(rng: np.random.Generator, n: int, stops: int, *, closed: bool) -> tuple[np.ndarray, int]:
    """A random route of ``stops`` candidates from 0 to 0 (closed) or 1, in an array of n + 2."""
    inner = rng.permutation(np.arange(2, n))[:stops]
    nodes = [0, *inner.tolist(), 0 if closed else 1]
    route = np.zeros(n + 2, dtype=np.int64)
    route[: len(nodes)] = nodes
    return route, len(nodes)


def _full_lists(dist: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Every candidate in every node's list, nearest first: the neighbour searches miss nothing."""
    return neighbor_lists(dist, candidates, candidates.size, 0)


def _fresh_cache(
    dist: np.ndarray, route: np.ndarray, length: int, candidates: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    on_route = np.zeros(n, dtype=np.bool_)
    on_route[route[:length]] = True
    cache = (on_route, np.full(n, np.inf), np.zeros(n, dtype=np.int64))
    refresh_insertions(dist, route, length, candidates, cache)
    return cache


def _insertion_cost(dist: np.ndarray, route: np.ndarray, v: int, where: int) -> float:
    a, b = route[where], route[where + 1]
    return float(dist[v, a] + dist[v, b] - dist[a, b])


# -- two_opt (exhaustive) and focused (neighbour lists, don't-look bits) -------------------


def _qualifying_moves(dist: np.ndarray, route: np.ndarray, length: int, x: int) -> bool:
    """Is there an improving 2-opt move whose new edge at route[x], to a candidate, beats the
    edge it removes there?

    A move reverses route[p+1..q]: edges (p, p+1) and (q, q+1) become (p, q)
    and (p+1, q+1). Its four ends each gain one edge and lose one.
    """
    r = route
    for p in range(length - 3):
        for q in range(p + 2, length - 1):
            change = dist[r[p], r[q]] + dist[r[p + 1], r[q + 1]]
            change -= dist[r[p], r[p + 1]] + dist[r[q], r[q + 1]]
            if change >= -EPS:
                continue
            at = {  # end -> (its new neighbour, new edge length, removed edge length)
                p: (r[q], dist[r[p], r[q]], dist[r[p], r[p + 1]]),
                p + 1: (r[q + 1], dist[r[p + 1], r[q + 1]], dist[r[p], r[p + 1]]),
                q: (r[p], dist[r[p], r[q]], dist[r[q], r[q + 1]]),
                q + 1: (r[p + 1], dist[r[p + 1], r[q + 1]], dist[r[q], r[q + 1]]),
            }
            # Only candidates are in neighbour lists (start and end are nodes 0 and 1).
            if x in at and at[x][0] >= 2 and at[x][1] < at[x][2]:
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(seeds, st.integers(6, 30))
def test_focused_2opt_finds_a_move_at_a_stop_whenever_the_exhaustive_search_has_one(
    seed: int, n: int
) -> None:
    # Given a random open route and full neighbour lists
    rng, dist, candidates = _instance(seed, n)
    route, length = _route(rng, n, int(rng.integers(2, n - 1)), closed=False)
    neighbors = _full_lists(dist, candidates)
    before = route_cost(dist, route, length)
    for x in range(length):
        trial = route.copy()
        position = np.full(n + 2, -1, dtype=np.int64)
        set_positions(trial, length, position, 0)
        dirty = np.zeros(n, dtype=np.bool_)
        stack = np.zeros(n + 2, dtype=np.int64)
        # When the focused search looks at stop x
        moved = _two_opt_at(dist, trial, length, x, EPS, neighbors, position, dirty, stack, 0)
        # Then it finds a move exactly when an improving move with a shorter new edge at x exists
        assert (moved >= 0) == _qualifying_moves(dist, route, length, x)
        if moved >= 0:
            # and the move it makes is a real improvement of the same stops
            assert route_cost(dist, trial, length) < before - EPS
            assert sorted(trial[:length]) == sorted(route[:length])
            assert (trial[0], trial[length - 1]) == (route[0], route[length - 1])


@settings(max_examples=150, deadline=None)
@given(seeds, st.integers(6, 40), st.booleans())
def test_focused_shortening_improves_whenever_exhaustive_2opt_can(
    seed: int, n: int, closed: bool
) -> None:
    # Given a random route, every stop marked as changed, full neighbour lists
    rng, dist, candidates = _instance(seed, n)
    route, length = _route(rng, n, int(rng.integers(2, n - 1)), closed=closed)
    neighbors = _full_lists(dist, candidates)
    before = route_cost(dist, route, length)
    exhaustive = route.copy()
    can_improve = two_opt(dist, exhaustive, length, EPS)
    focused = route.copy()
    dirty = np.zeros(n, dtype=np.bool_)
    stack = np.zeros(n + 2, dtype=np.int64)
    top = 0
    for node in route[:length]:
        if not dirty[node]:
            dirty[node] = True
            stack[top] = node
            top += 1
    position = np.full(n + 2, -1, dtype=np.int64)
    scratch = np.zeros(n + 2, dtype=np.int64)
    # When both shorten it
    changed = focused_shorten(
        dist, focused, length, EPS, neighbors, position, dirty, stack, top, scratch
    )
    # Then the focused search improves whenever the exhaustive 2-opt could,
    # keeps the same stops and ends, and leaves its scratch state clean
    if can_improve:
        assert changed
    after = route_cost(dist, focused, length)
    assert after <= before + EPS
    if changed:
        assert after < before
    assert sorted(focused[:length]) == sorted(route[:length])
    assert (focused[0], focused[length - 1]) == (route[0], route[length - 1])
    assert (position == -1).all()
    assert not dirty.any()


# -- the exhaustive swap search and the fast one ---------------------------------------------


def _swap_outcome(
    dist: np.ndarray, scores: np.ndarray, route: np.ndarray, length: int, i: int, u: int
) -> tuple[float, float]:
    """Score gain and new cost of swapping route[i] for u (u at its cheapest place)."""
    rest = np.concatenate([route[:i], route[i + 1 : length], [0]]).astype(np.int64)
    delta, _ = cheapest_insertion(dist, rest, length - 1, u, -1)
    return float(scores[u] - scores[route[i]]), route_cost(dist, rest, length - 1) + delta


def _swap_case(seed: int, n: int, slack: float) -> tuple:
    """A random route, scores with ties, a budget ``slack`` above its cost, a fresh exact cache."""
    rng, dist, candidates = _instance(seed, n)
    route, length = _route(rng, n, int(rng.integers(1, n - 2)), closed=bool(rng.integers(2)))
    scores = np.round(rng.random(n), 1)  # ties happen, as with real scores
    scores[:2] = 0.0
    cost = route_cost(dist, route, length)
    limit = cost + slack * 0.5
    cache = _fresh_cache(dist, route, length, candidates, n)
    return dist, scores, route, length, cost, limit, candidates, cache


def _best_gain_in_fast_space(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    cost: float,
    limit: float,
    candidates: np.ndarray,
    cache: tuple,
) -> float:
    """Best score gain of an affordable swap where the newcomer takes its cached cheapest edge
    (one that does not touch the stop leaving) or the gap that stop leaves; -inf if none.

    This is the move space the fast search covers when every candidate is in every near list,
    computed the same way (cost minus the stop's saving plus the insertion's cost).
    """
    on_route, delta, where = cache
    best = -np.inf
    for i in range(1, length - 1):
        a, v, b = route[i - 1], route[i], route[i + 1]
        saving = dist[a, v] + dist[v, b] - dist[a, b]
        for u in candidates:
            if on_route[u]:
                continue
            costs = [dist[u, a] + dist[u, b] - dist[a, b]]
            if i not in (where[u], where[u] + 1):
                costs.append(delta[u])
            if min(cost - saving + c for c in costs) <= limit:
                best = max(best, float(scores[u] - scores[v]))
    return best


@settings(max_examples=1000, deadline=None)
@given(seeds, st.integers(6, 40), st.floats(0.0, 1.0))
def test_fast_swap_search_finds_the_best_swap_of_its_move_space_and_only_real_ones(
    seed: int, n: int, slack: float
) -> None:
    # Given a random route, scores, a budget near its cost, a fresh exact cache, full lists
    dist, scores, route, length, cost, limit, candidates, cache = _swap_case(seed, n, slack)
    neighbors = _full_lists(dist, candidates)
    # When both searches look for a swap
    fast_i, fast_u = find_swap_fast(
        dist, scores, route, length, cost, limit, candidates, cache, EPS, neighbors
    )
    full_i, full_u = _find_swap(dist, scores, route, length, cost, limit, candidates, cache, EPS)
    # Then a fast proposal is a real, affordable swap that does not lower the score
    if fast_i >= 0:
        gain, new_cost = _swap_outcome(dist, scores, route, length, fast_i, fast_u)
        assert new_cost <= limit + 1e-9
        assert gain >= 0
        # and the exhaustive search, which tries every edge, finds one at least as good
        assert full_i >= 0
        assert _swap_outcome(dist, scores, route, length, full_i, full_u)[0] >= gain
    # And the fast search finds the best score gain of the moves it covers
    best = _best_gain_in_fast_space(dist, scores, route, length, cost, limit, candidates, cache)
    if best > 0:
        assert fast_i >= 0
        assert float(scores[fast_u] - scores[route[fast_i]]) == best


@pytest.mark.xfail(
    strict=True,
    reason="find_swap_fast lets a newcomer whose cheapest edge touches the stop leaving take"
    " only the gap that stop leaves, never its next-cheapest edge elsewhere, so it can miss a"
    " score-raising swap the exhaustive search makes (see docs/architecture.md, 2026-12-07).",
)
def test_fast_swap_search_finds_every_swap_the_exhaustive_search_does() -> None:
    # Given the case hypothesis found: route 0-4-2-3-1 on the budget exactly; candidate 5's
    # cheapest edge is 3-1, and swapping stop 3 for it fits only with 5 on another edge
    dist, scores, route, length, cost, limit, candidates, cache = _swap_case(561, 6, 0.0)
    neighbors = _full_lists(dist, candidates)
    full_i, full_u = _find_swap(dist, scores, route, length, cost, limit, candidates, cache, EPS)
    assert (full_i, full_u) == (3, 5)
    # When the fast search looks, then (not yet) it finds a swap as well
    fast_i, _ = find_swap_fast(
        dist, scores, route, length, cost, limit, candidates, cache, EPS, neighbors
    )
    assert fast_i >= 0


# -- the insertion cache: incremental upkeep against recomputation ---------------------------


@settings(max_examples=150, deadline=None)
@given(seeds, st.integers(5, 40))
def test_exact_cache_upkeep_after_an_insertion_equals_a_recomputation(seed: int, n: int) -> None:
    # Given a route with a fresh exact cache and one candidate off the route
    rng, dist, candidates = _instance(seed, n)
    route, length = _route(rng, n, int(rng.integers(0, n - 3)), closed=bool(rng.integers(2)))
    cache = _fresh_cache(dist, route, length, candidates, n)
    off = [int(v) for v in candidates if not cache[0][v]]
    node = off[int(rng.integers(len(off)))]
    # When it is inserted at its cheapest edge and the cache patched
    length = insert_and_update(dist, route, length, int(cache[2][node]), node, candidates, cache)
    # Then every cached cost equals a full recomputation's, at an edge that costs it
    recomputed = _fresh_cache(dist, route, length, candidates, n)
    for v in candidates:
        if cache[0][v]:
            continue
        assert cache[1][v] == recomputed[1][v]
        assert _insertion_cost(dist, route, int(v), int(cache[2][v])) == cache[1][v]


def _random_change(
    rng: np.random.Generator, route: np.ndarray, length: int, on_route: np.ndarray, n: int
) -> int:
    """Reverse a span, drop a few stops, add a few candidates (what destroy and repair do)."""
    if length > 3:
        i, j = sorted(rng.choice(np.arange(1, length - 1), size=2, replace=False).tolist())
        route[i : j + 1] = route[i : j + 1][::-1].copy()
    for _ in range(int(rng.integers(0, 3))):
        if length > 2:
            k = int(rng.integers(1, length - 1))
            on_route[route[k]] = False
            route[k : length - 1] = route[k + 1 : length].copy()
            length -= 1
    for _ in range(int(rng.integers(0, 3))):
        off = np.flatnonzero(~on_route[2:]) + 2
        if off.size == 0:
            break
        v = int(rng.choice(off))
        k = int(rng.integers(0, length - 1))
        route[k + 2 : length + 1] = route[k + 1 : length].copy()
        route[k + 1] = v
        on_route[v] = True
        length += 1
    return length


def _long_route_with_near_cache(
    seed: int, n: int, count: int
) -> tuple[np.random.Generator, np.ndarray, np.ndarray, tuple, np.ndarray, int, tuple]:
    """A long route (over 4 near stops per list) whose cache a near refresh made fresh."""
    rng, dist, candidates = _instance(seed, n)
    neighbors = neighbor_lists(dist, candidates, count, 0)
    reverse_start, reverse_nodes = reverse_lists(neighbors, candidates, n)
    route, length = _route(rng, n, int(rng.integers(4 * count, n - 2)), closed=False)
    cache = _fresh_cache(dist, route, length, candidates, n)
    position = np.full(n + 2, -1, dtype=np.int64)
    refresh_insertions_near(dist, route, length, candidates, cache, neighbors, position)
    return rng, dist, candidates, (neighbors, reverse_start, reverse_nodes), route, length, cache


def _check_near_cache(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    candidates: np.ndarray,
    cache: tuple,
    neighbors: np.ndarray,
    *,
    only_with_near_stops: bool = False,
) -> None:
    """Every cached cost is its edge's real cost and no worse than a near recomputation."""
    position = np.full(route.shape[0], -1, dtype=np.int64)
    set_positions(route, length, position, 0)
    for v in candidates:
        if cache[0][v]:
            continue
        assert cache[1][v] == _insertion_cost(dist, route, int(v), int(cache[2][v]))
        if only_with_near_stops and not (position[neighbors[v]] >= 0).any():
            continue
        fresh, _ = near_insertion(dist, route, length, int(v), neighbors, position)
        assert cache[1][v] <= fresh + 1e-12


@settings(max_examples=150, deadline=None)
@given(seeds, st.integers(30, 90), st.integers(1, 4))
def test_cache_sync_after_a_repair_matches_a_near_recomputation(
    seed: int, n: int, count: int
) -> None:
    # Given a long route with a cache fresh for it
    rng, dist, candidates, near, old, old_length, cache = _long_route_with_near_cache(
        seed, n, count
    )
    # When the route changes (a reversal, stops out, stops in) and the cache is synced
    route = old.copy()
    length = _random_change(rng, route, old_length, cache[0], n)
    position = np.full(n + 2, -1, dtype=np.int64)
    old_position = np.full(n + 2, -1, dtype=np.int64)
    scratch = (np.zeros(n + 2, dtype=np.int64), np.zeros(n + 2, dtype=np.int64))
    sync_insertions(
        dist, route, length, old, old_length, candidates, cache, near, position,
        old_position, *scratch,
    )  # fmt: skip
    # Then every cost is real and at least as low as a near refresh finds
    _check_near_cache(dist, route, length, candidates, cache, near[0])
    assert (position == -1).all()
    assert (old_position == -1).all()


def _insert_one(
    rng: np.random.Generator,
    dist: np.ndarray,
    candidates: np.ndarray,
    near: tuple,
    route: np.ndarray,
    length: int,
    cache: tuple,
) -> int:
    off = [int(v) for v in candidates if not cache[0][v]]
    node = off[int(rng.integers(len(off)))]
    where = int(cache[2][node])
    return insert_near_update(dist, route, length, where, node, candidates, cache, *near[1:])


@settings(max_examples=150, deadline=None)
@given(seeds, st.integers(30, 90), st.integers(1, 4))
def test_near_insertion_upkeep_matches_a_near_recomputation_where_a_near_stop_is_on_the_route(
    seed: int, n: int, count: int
) -> None:
    # Given a long route with a cache fresh for it
    rng, dist, candidates, near, route, length, cache = _long_route_with_near_cache(seed, n, count)
    # When the fill inserts a candidate at its cached edge
    length = _insert_one(rng, dist, candidates, near, route, length, cache)
    # Then costs are real, and as low as a near refresh's for every candidate with a
    # near stop on the route
    _check_near_cache(dist, route, length, candidates, cache, near[0], only_with_near_stops=True)


@pytest.mark.xfail(
    strict=True,
    reason="insert_near_update offers the two new edges only to candidates listed near their"
    " ends; a candidate with no near stop on the route keeps its old full-scan cost, where"
    " sync_insertions and a near refresh would offer it every new edge. The cost kept is real"
    " (never optimistic), so routes stay feasible; fixing it changes seeded tours (see"
    " docs/architecture.md, 2026-12-07).",
)
def test_near_insertion_upkeep_also_matches_for_candidates_with_no_near_stop() -> None:
    # Given the instance hypothesis found (seed 61: 51 nodes, 2 near stops per list)
    rng, dist, candidates, near, route, length, cache = _long_route_with_near_cache(61, 51, 2)
    # When a candidate is inserted
    length = _insert_one(rng, dist, candidates, near, route, length, cache)
    # Then (not yet) even candidates far from every stop get the new edges
    _check_near_cache(dist, route, length, candidates, cache, near[0])
