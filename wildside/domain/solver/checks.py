"""Input validation and the exact, direction-aware route cost used for the final answer."""

from __future__ import annotations

import itertools
import math
import operator
from typing import Any

import numpy as np

from wildside.domain.orienteering import InvalidProblemError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def _finite_array(value: Any, name: str) -> FloatArray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidProblemError(f"{name} must be numeric: {error}") from None
    if not np.all(np.isfinite(array)):
        raise InvalidProblemError(f"{name} must hold only finite numbers (no NaN or infinity)")
    if np.any(array < 0.0):
        raise InvalidProblemError(f"{name} must not be negative")
    return array


def _node(value: Any, name: str, n: int) -> int:
    if isinstance(value, bool):
        raise InvalidProblemError(f"{name} must be a node index, not a bool")
    try:
        index = operator.index(value)
    except TypeError:
        raise InvalidProblemError(f"{name} must be an integer node index, got {value!r}") from None
    if not 0 <= index < n:
        raise InvalidProblemError(f"{name} = {index} is outside 0..{n - 1}")
    return index


def validated_inputs(
    scores: Any,
    cost: Any,
    start: int,
    end: int,
    budget: float,
    time_limit: float,
    max_iterations: int | None,
    service: Any,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Check every argument of ``solve_op``; return float64 copies of the arrays."""
    score_array = _finite_array(scores, "scores")
    if score_array.ndim != 1 or score_array.shape[0] == 0:
        raise InvalidProblemError(
            f"scores must be a non-empty 1-D sequence, got shape {score_array.shape}"
        )
    n = score_array.shape[0]
    travel = _finite_array(cost, "cost")
    if travel.shape != (n, n):
        raise InvalidProblemError(
            f"cost must be a {n}x{n} matrix (one row per score), got {travel.shape}"
        )
    if service is None:
        service_array = np.zeros(n, dtype=np.float64)
    else:
        service_array = _finite_array(service, "service")
        if service_array.shape != (n,):
            raise InvalidProblemError(
                f"service must hold {n} values, got shape {service_array.shape}"
            )
    _node(start, "start", n)
    _node(end, "end", n)
    if not isinstance(budget, int | float | np.floating | np.integer) or isinstance(budget, bool):
        raise InvalidProblemError(f"budget must be a number, got {budget!r}")
    if not math.isfinite(budget) or budget < 0:
        raise InvalidProblemError(f"budget must be finite and non-negative, got {budget!r}")
    if not time_limit > 0:
        raise InvalidProblemError(f"time_limit must be positive, got {time_limit!r}")
    if max_iterations is None and not math.isfinite(time_limit):
        raise InvalidProblemError("time_limit must be finite when max_iterations is None")
    if max_iterations is not None and (isinstance(max_iterations, bool) or max_iterations < 0):
        raise InvalidProblemError(f"max_iterations must be None or >= 0, got {max_iterations!r}")
    return score_array, travel, service_array


def exact_cost(travel: FloatArray, service: FloatArray, route: list[int]) -> float:
    """Cost of ``route`` as given: travel in route order plus service of the inner stops."""
    total = 0.0
    for a, b in itertools.pairwise(route):
        total += float(travel[a, b])
    for node in route[1:-1]:
        total += float(service[node])
    return total


def repair_to_budget(
    travel: FloatArray, service: FloatArray, scores: FloatArray, route: list[int], limit: float
) -> list[int]:
    """Make ``route`` fit ``limit`` under the exact directed cost, dropping stops if needed.

    The search works on a symmetrised matrix, so with slightly asymmetric costs
    a closed tour may be cheaper backwards, and rarely a route may need to lose
    its least paying stops.
    """
    if route[0] == route[-1] and exact_cost(travel, service, route[::-1]) < exact_cost(
        travel, service, route
    ):
        route = route[::-1]
    while exact_cost(travel, service, route) > limit and len(route) > 2:
        worst = min(
            range(1, len(route) - 1),
            key=lambda k: (
                scores[route[k]]
                / max(
                    1e-12,
                    exact_cost(travel, service, route)
                    - exact_cost(travel, service, route[:k] + route[k + 1 :]),
                )
            ),
        )
        route = route[:worst] + route[worst + 1 :]
    return route
