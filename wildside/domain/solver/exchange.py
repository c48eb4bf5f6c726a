"""Fast 1-for-1 swap search for long routes: O(n log L + L K) instead of O(n L)."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.layout import Cache

GAIN, SAVING = 0, 1  # slots of the running best in ``best_values``
POSITION, NODE = 0, 1  # slots in ``best_move``


@numba.njit(cache=True)
def _offer(
    scores: np.ndarray,
    route: np.ndarray,
    savings: np.ndarray,
    cost: float,
    limit: float,
    node: int,
    position: int,
    delta: float,
    best_values: np.ndarray,
    best_move: np.ndarray,
) -> None:
    """Keep swapping ``route[position]`` for ``node`` (inserted at ``delta``) if it is best."""
    new_cost = cost - savings[position] + delta
    if new_cost > limit:
        return
    gain = scores[node] - scores[route[position]]
    saving = cost - new_cost
    if gain > best_values[GAIN] or (gain == best_values[GAIN] and saving > best_values[SAVING]):
        best_values[GAIN] = gain
        best_values[SAVING] = saving
        best_move[POSITION] = position
        best_move[NODE] = node


@numba.njit(cache=True)
def find_swap_fast(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    cost: float,
    limit: float,
    candidates: np.ndarray,
    cache: Cache,
    eps: float,
    neighbors: np.ndarray,
) -> tuple[int, int]:
    """Best (position, candidate) swap, or (-1, -1); same goal as the exhaustive scan.

    A candidate either takes its cached cheapest edge, so it needs a removed
    stop that saves at least ``cost + delta - limit``: stops sorted by saving
    with a running best-by-score answer that in O(log L). Or it takes the gap
    the removed stop leaves, which only pays when it is near that stop: the
    neighbour lists cover it.
    """
    on_route, insertion_delta, insertion_position = cache
    interior = length - 2
    savings = np.zeros(length)
    for i in range(1, length - 1):
        a = route[i - 1]
        b = route[i + 1]
        savings[i] = dist[a, route[i]] + dist[route[i], b] - dist[a, b]
    order = np.argsort(-savings[1 : length - 1]) + 1
    # prefix_best[k]: the lowest-score stop (then largest saving) among order[0..k].
    prefix_best = np.empty(interior, dtype=np.int64)
    for k in range(interior):
        i = order[k]
        if k == 0:
            prefix_best[k] = i
            continue
        j = prefix_best[k - 1]
        score_i = scores[route[i]]
        score_j = scores[route[j]]
        is_better = score_i < score_j or (score_i == score_j and savings[i] > savings[j])
        prefix_best[k] = i if is_better else j
    best_values = np.array([0.0, eps])
    best_move = np.array([-1, -1], dtype=np.int64)
    for u in candidates:
        if on_route[u]:
            continue
        edge = insertion_position[u]
        need = cost + insertion_delta[u] - limit
        low = 0
        high = interior
        while low < high:
            middle = (low + high) >> 1
            if savings[order[middle]] >= need:
                low = middle + 1
            else:
                high = middle
        if low > 0:
            i = prefix_best[low - 1]
            if i != edge and i != edge + 1:
                _offer(
                    scores,
                    route,
                    savings,
                    cost,
                    limit,
                    u,
                    i,
                    insertion_delta[u],
                    best_values,
                    best_move,
                )
            else:
                # The best stop touches the candidate's edge: scan the affordable ones.
                for t in range(low):
                    i = order[t]
                    if i != edge and i != edge + 1:
                        _offer(
                            scores,
                            route,
                            savings,
                            cost,
                            limit,
                            u,
                            i,
                            insertion_delta[u],
                            best_values,
                            best_move,
                        )
        for i in range(edge, edge + 2):
            if 1 <= i <= length - 2:
                a = route[i - 1]
                b = route[i + 1]
                merged = dist[u, a] + dist[u, b] - dist[a, b]
                _offer(scores, route, savings, cost, limit, u, i, merged, best_values, best_move)
    for i in range(1, length - 1):
        a = route[i - 1]
        b = route[i + 1]
        for t in range(neighbors.shape[1]):
            u = neighbors[route[i], t]
            if on_route[u]:
                continue
            merged = dist[u, a] + dist[u, b] - dist[a, b]
            _offer(scores, route, savings, cost, limit, u, i, merged, best_values, best_move)
    return best_move[POSITION], best_move[NODE]
