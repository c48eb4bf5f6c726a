"""Legs that avoid retracing: what they really take, whether a tour fits, what the solver hears."""

from __future__ import annotations

from collections.abc import Sequence

# Seconds of rounding noise between the solver's sums and the legs' (one ulp of a
# sum of a few thousand seconds is about 1e-12): a microsecond is far above that
# and far below anything a walker or the 0.1 s rounding of the results could see.
TOLERANCE_S = 1e-6


def leg_seconds(
    walked: Sequence[int],
    street_m: Sequence[float],
    seconds: Sequence[Sequence[float]],
    snap_m: Sequence[float],
    pace_m_s: float,
) -> list[float]:
    """Seconds of each leg ``walked[i] -> walked[i + 1]`` along the streets it really takes.

    A leg costs what the solver planned (``seconds``, the shortest walk)
    unless its streets (``street_m``) plus the walks to and from them
    (``snap_m``) are longer by more than ``TOLERANCE_S``: a shortest leg keeps
    the planned figure exactly, so a tour built without a penalty times as it
    always did. A leg from a point to itself takes no time.

    Examples
    --------
    >>> seconds = [[0.0, 100.0], [100.0, 0.0]]
    >>> leg_seconds([0, 1, 0], [125.0, 200.0], seconds, [0.0, 5.0], 1.3)
    [100.0, 157.69230769230768]
    >>> leg_seconds([0, 0], [0.0], [[0.0]], [0.0], 1.3)
    [0.0]
    """
    legs: list[float] = []
    for index, metres in enumerate(street_m):
        a, b = walked[index], walked[index + 1]
        planned = seconds[a][b]
        real = (metres + snap_m[a] + snap_m[b]) / pace_m_s if a != b else 0.0
        legs.append(real if real > planned + TOLERANCE_S else planned)
    return legs


def fits_budget(leg_s: Sequence[float], dwell_s: Sequence[float], budget_s: float) -> bool:
    """Whether walking ``leg_s`` and staying ``dwell_s`` at the stops fits in ``budget_s``.

    Examples
    --------
    >>> fits_budget([100.0, 50.0], [30.0], 180.0), fits_budget([100.0, 50.0], [30.0], 179.0)
    (True, False)
    """
    return sum(leg_s) + sum(dwell_s) <= budget_s + TOLERANCE_S


def raised_costs(
    costs: Sequence[Sequence[float]], walked: Sequence[int], leg_s: Sequence[float]
) -> list[list[float]]:
    """``costs`` with each walked pair (both ways) raised to what its leg really took.

    The solver then sees that those stops, in that order, cost more than their
    shortest walk; pairs it has not seen walked keep their shortest cost.

    Examples
    --------
    >>> raised_costs([[0.0, 10.0], [10.0, 0.0]], [0, 1, 0], [12.0, 10.0])
    [[0.0, 12.0], [12.0, 0.0]]
    """
    raised = [list(row) for row in costs]
    for index, seconds in enumerate(leg_s):
        a, b = walked[index], walked[index + 1]
        if a != b:
            raised[a][b] = max(raised[a][b], seconds)
            raised[b][a] = max(raised[b][a], seconds)
    return raised
