"""End anywhere: a virtual end every stop reaches at no cost, so a tour stops at its last stop.

The solver already plans tours from a start to a fixed end; an end that costs
nothing to reach from anywhere turns that into "finish wherever the budget
runs out", with no return leg, and no change to the search itself.
"""

from __future__ import annotations

FREE_END = 1  # the virtual end's index in the solver's matrix, where a fixed end would be


def with_free_end(seconds: list[list[float]]) -> list[list[float]]:
    """``seconds`` (start first, then stops) with a virtual end at index 1, free to reach.

    Examples
    --------
    >>> with_free_end([[0.0, 5.0], [5.0, 0.0]])
    [[0.0, 0.0, 5.0], [0.0, 0.0, 0.0], [5.0, 0.0, 0.0]]
    """
    rows = [[row[0], 0.0, *row[1:]] for row in seconds]
    rows.insert(FREE_END, [0.0] * (len(seconds) + 1))
    return rows


def walked_order(order: list[int]) -> list[int]:
    """The part of a solved route the walker walks: up to the last real stop.

    A tour with no stop stays at its start (one empty leg, as a round trip has).

    Examples
    --------
    >>> walked_order([0, 4, 2, 1]), walked_order([0, 1])
    ([0, 4, 2], [0, 0])
    """
    return order[:-1] if len(order) > 2 else [0, 0]
