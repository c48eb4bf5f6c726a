"""Exhaustive 2-opt for a short path with fixed ends (long routes use ``focused``)."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.route_ops import reverse_span


@numba.njit(cache=True)
def two_opt(dist: np.ndarray, route: np.ndarray, length: int, eps: float) -> bool:
    """Reverse sub-paths while that shortens the route (endpoints stay fixed)."""
    improved_any = False
    improved = True
    while improved:
        improved = False
        for i in range(1, length - 2):
            a = route[i - 1]
            b = route[i]
            ab = dist[a, b]
            for j in range(i + 1, length - 1):
                c = route[j]
                d = route[j + 1]
                if dist[a, c] + dist[b, d] - ab - dist[c, d] < -eps:
                    reverse_span(route, i, j)
                    b = route[i]
                    ab = dist[a, b]
                    improved = True
                    improved_any = True
    return improved_any
