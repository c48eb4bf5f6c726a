"""Open at arrival: exact arrival times along a route, and which stops a closed door rules out.

Pure decisions over the solver's matrix (node indices, seconds): the planner
solves without time windows, then asks these which stops would be closed at
their arrival (or close before the stay ends), and keeps the route only when
none is. Waiting for a place to open is not planned: a stop is visited on
arrival or not at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from wildside.domain.opening import UNKNOWN_OPENING, OpenState, PlaceOpening

Matrix = Sequence[Sequence[float]]


def arrival_times(order: Sequence[int], seconds: Matrix, service: Sequence[float]) -> list[float]:
    """Seconds from the start to each point of ``order``: legs walked plus stays before it.

    Examples
    --------
    >>> seconds = [[0, 60, 90], [60, 0, 30], [90, 30, 0]]
    >>> arrival_times([0, 1, 2, 0], seconds, [0, 600, 300])
    [0.0, 60.0, 690.0, 1080.0]
    """
    return arrivals_along(order, [seconds[a][b] for a, b in itertools.pairwise(order)], service)


def arrivals_along(
    order: Sequence[int], leg_s: Sequence[float], service: Sequence[float]
) -> list[float]:
    """Seconds from the start to each point of ``order`` when leg ``i`` takes ``leg_s[i]``.

    The legs as walked, which may be longer than the matrix's shortest walks
    (legs that keep off streets already walked, ``wildside.app.tour_walk``).

    Examples
    --------
    >>> arrivals_along([0, 1, 2, 0], [60.0, 45.0, 90.0], [0, 600, 300])
    [0.0, 60.0, 705.0, 1095.0]
    """
    times = [0.0]
    for a, seconds in zip(order[:-1], leg_s, strict=True):
        times.append(times[-1] + service[a] + seconds)
    return times


def states_along(
    order: Sequence[int],
    leg_s: Sequence[float],
    service: Sequence[float],
    openings: Mapping[int, PlaceOpening],
    slack_s: float = 0.0,
) -> list[OpenState]:
    """The state of each point of ``order`` after the start, reached along legs of ``leg_s``.

    Points without hours (the ends, places with none) are "unknown", never closed.

    Examples
    --------
    >>> from wildside.domain.opening import OpenWindow
    >>> until_700 = {1: PlaceOpening("…", (OpenWindow(0.0, 700.0),))}
    >>> states_along([0, 1, 0], [60.0, 60.0], [0, 600, 0], until_700)
    ['open', 'unknown']
    >>> states_along([0, 1, 0], [150.0, 60.0], [0, 600, 0], until_700)
    ['closed', 'unknown']
    """
    arrivals = arrivals_along(order, leg_s, service)
    return [
        openings.get(node, UNKNOWN_OPENING).state(at, service[node] + slack_s)
        for node, at in zip(order[1:], arrivals[1:], strict=True)
    ]


def stop_states(
    order: Sequence[int],
    seconds: Matrix,
    service: Sequence[float],
    openings: Mapping[int, PlaceOpening],
    slack_s: float = 0.0,
) -> list[OpenState]:
    """Each stop's state at its arrival (``order`` without its two ends).

    A stop must stay open for its whole visit; ``slack_s`` more when the plan
    must hold for starts up to that much later (a tour asked for "now").
    """
    legs = [seconds[a][b] for a, b in itertools.pairwise(order)]
    return states_along(order, legs, service, openings, slack_s)[:-1]  # the end is no stop


def closed_stops(
    order: Sequence[int],
    seconds: Matrix,
    service: Sequence[float],
    openings: Mapping[int, PlaceOpening],
    slack_s: float = 0.0,
) -> list[int]:
    """The stops of ``order`` closed at their arrival (or before their visit ends).

    Examples
    --------
    >>> from wildside.domain.opening import OpenWindow
    >>> seconds = [[0, 60, 90], [60, 0, 30], [90, 30, 0]]
    >>> shut_at_noon = {2: PlaceOpening("…", (OpenWindow(0.0, 500.0),))}
    >>> closed_stops([0, 1, 2, 0], seconds, [0, 600, 300], shut_at_noon)
    [2]
    >>> closed_stops([0, 2, 1, 0], seconds, [0, 600, 300], shut_at_noon)
    []
    """
    states = stop_states(order, seconds, service, openings, slack_s)
    return [node for node, state in zip(order[1:-1], states, strict=True) if state == "closed"]


def keep_open(
    order: Sequence[int],
    seconds: Matrix,
    service: Sequence[float],
    openings: Mapping[int, PlaceOpening],
    slack_s: float = 0.0,
) -> list[int]:
    """``order`` without the stops that would be closed, checked again after each removal.

    Dropping a stop moves every later arrival earlier (the street matrix obeys
    the triangle inequality), which can bring a later stop there before it
    opens; so the first closed stop goes, and the rest is checked anew. The
    stops before it are untouched, and the route only ever gets shorter.

    Examples
    --------
    >>> from wildside.domain.opening import OpenWindow
    >>> seconds = [[0, 60, 90], [60, 0, 30], [90, 30, 0]]
    >>> opens_late = {1: PlaceOpening("…", (OpenWindow(0.0, 100.0),)),
    ...               2: PlaceOpening("…", (OpenWindow(600.0, 5000.0),))}
    >>> keep_open([0, 1, 2, 0], seconds, [0, 600, 300], opens_late)
    [0, 0]
    """
    route = list(order)
    while True:
        states = stop_states(route, seconds, service, openings, slack_s)
        if "closed" not in states:
            return route
        del route[1 + states.index("closed")]
