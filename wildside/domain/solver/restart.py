"""Diversifying restarts: rebuild the route around random anchors away from the best route."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.construction import insert_and_update, refresh_insertions
from wildside.domain.solver.layout import (
    BEST_COST,
    BEST_LEN,
    BEST_SCORE,
    CUR_COST,
    CUR_LEN,
    CUR_SCORE,
    EPS,
    LIMIT,
    TINY_COST,
    Cache,
    Near,
    Walk,
    Workspace,
)
from wildside.domain.solver.repair import CACHED, REF, improve, remember
from wildside.domain.solver.route_ops import (
    is_better,
    random_float,
    random_int,
    route_cost,
    route_score,
)

MAX_ANCHORS = 3


@numba.njit(cache=True)
def _pick_anchor(
    scores: np.ndarray,
    candidates: np.ndarray,
    on_route: np.ndarray,
    is_banned: np.ndarray,
    insertion_delta: np.ndarray,
    slack: float,
    rng: np.ndarray,
) -> int:
    """An affordable candidate off the route and not banned, drawn with weight score squared.

    Squared scores favour landmarks: a region is worth opening for its best
    places, and the fill then collects what lies around them. Returns -1 if
    nothing qualifies.
    """
    total = 0.0
    for v in candidates:
        if not on_route[v] and not is_banned[v] and insertion_delta[v] <= slack:
            total += scores[v] * scores[v]
    if total <= 0.0:
        return -1
    target = random_float(rng) * total
    last = -1
    for v in candidates:
        if not on_route[v] and not is_banned[v] and insertion_delta[v] <= slack:
            last = int(v)
            target -= scores[v] * scores[v]
            if target < 0.0:
                return int(v)
    return last


@numba.njit(cache=True)
def anchored_start(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    start: int,
    end: int,
    limit: float,
    candidates: np.ndarray,
    is_banned: np.ndarray,
    cache: Cache,
    rng: np.ndarray,
) -> int:
    """Reset ``route`` to start-end plus 1..3 anchors drawn away from ``is_banned``.

    A local search that has settled on one area rarely leaves it: every
    repair refills the same nearby places. Starting over from a landmark
    elsewhere lets the search weigh a different area on its merits. The
    insertion cache is fresh on return; the caller improves the route.
    """
    on_route, insertion_delta, insertion_position = cache
    on_route[:] = False
    route[0] = start
    route[1] = end
    length = 2
    on_route[start] = True
    on_route[end] = True
    refresh_insertions(dist, route, length, candidates, cache)
    anchors = 1 + random_int(rng, MAX_ANCHORS)
    for _ in range(anchors):
        slack = limit - route_cost(dist, route, length)
        anchor = _pick_anchor(scores, candidates, on_route, is_banned, insertion_delta, slack, rng)
        if anchor < 0:
            break
        length = insert_and_update(
            dist,
            route,
            length,
            insertion_position[anchor],
            anchor,
            candidates,
            cache,
        )
    return length


@numba.njit(cache=True)
def mark_route(route: np.ndarray, length: int, flags: np.ndarray) -> None:
    """Set ``flags`` to True exactly for the nodes of ``route[:length]``."""
    flags[:] = False
    for k in range(length):
        flags[route[k]] = True


@numba.njit(cache=True, nogil=True)
def restart_elsewhere(
    dist: np.ndarray,
    scores: np.ndarray,
    candidates: np.ndarray,
    near: Near,
    params: np.ndarray,
    rng: np.ndarray,
    walk: Walk,
    is_banned: np.ndarray,
    cache: Cache,
    workspace: Workspace,
) -> None:
    """Make the current route a fresh one grown from anchors that the best route lacks.

    Alternating these with restarts from the best keeps the search from
    spending its whole budget in the first area it settled on.
    """
    cur_route, best_route, counters, values = walk
    work, lengths, _dirty = workspace
    best_length = counters[BEST_LEN]
    mark_route(best_route, best_length, is_banned)
    length = anchored_start(
        dist,
        scores,
        cur_route,
        best_route[0],
        best_route[best_length - 1],
        params[LIMIT],
        candidates,
        is_banned,
        cache,
        rng,
    )
    # The anchors went in with exact cache upkeep: the cache is fresh for this route.
    remember(cur_route, length, work, lengths, REF)
    remember(cur_route, length, work, lengths, CACHED)
    length = improve(
        dist,
        scores,
        cur_route,
        length,
        params[LIMIT],
        candidates,
        cache,
        1.0,
        0.25 * random_float(rng),
        params[EPS],
        params[TINY_COST],
        rng,
        0,
        near,
        workspace,
    )
    counters[CUR_LEN] = length
    values[CUR_COST] = route_cost(dist, cur_route, length)
    values[CUR_SCORE] = route_score(scores, cur_route, length)
    if is_better(
        values[CUR_SCORE], values[CUR_COST], values[BEST_SCORE], values[BEST_COST], params[EPS]
    ):
        best_route[:length] = cur_route[:length]
        counters[BEST_LEN] = length
        values[BEST_COST] = values[CUR_COST]
        values[BEST_SCORE] = values[CUR_SCORE]
