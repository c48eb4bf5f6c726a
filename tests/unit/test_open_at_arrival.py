"""Open at arrival: exact arrival times, and no stop ever visited while closed (properties)."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from wildside.domain.open_at_arrival import arrival_times, closed_stops, keep_open, stop_states
from wildside.domain.opening import OpenWindow, PlaceOpening, merged_windows

HORIZON_S = 4 * 3600.0

points = st.lists(
    st.tuples(st.floats(0, 2000, allow_nan=False), st.floats(0, 2000, allow_nan=False)),
    min_size=2,
    max_size=12,
)
spans = st.tuples(st.floats(0, HORIZON_S), st.floats(60, 2 * 3600))
# Per place: None (no hours), unreadable hours, or a few open spans (some "unknown").
openings = st.one_of(
    st.none(),
    st.just("unreadable"),
    st.lists(st.tuples(spans, st.booleans()), max_size=3),
)


def _matrix(coords: list[tuple[float, float]]) -> list[list[float]]:
    """Walking seconds at 1 m/s: straight lines, so the triangle inequality holds as on streets."""
    return [[math.dist(a, b) for b in coords] for a in coords]


def _opening(drawn: object) -> PlaceOpening:
    if drawn is None:
        return PlaceOpening(None)
    if drawn == "unreadable":
        return PlaceOpening("??")
    assert isinstance(drawn, list)
    return PlaceOpening(
        "drawn",
        merged_windows(OpenWindow(s, min(HORIZON_S, s + length), k) for (s, length), k in drawn),
    )


@st.composite
def tours(draw: st.DrawFn) -> tuple[list[int], list[list[float]], list[float], dict]:
    """A round trip or a fixed-end route over random places, dwells and hours."""
    coords = draw(points)
    n = len(coords)
    is_round_trip = draw(st.booleans()) or n < 3
    terminals = 1 if is_round_trip else 2
    stops = draw(st.permutations(list(range(terminals, n))))
    order = [0, *stops[: draw(st.integers(0, len(stops)))], 0 if is_round_trip else 1]
    service = [0.0] * terminals + [
        draw(st.floats(0, 1800, allow_nan=False)) for _ in range(n - terminals)
    ]
    hours = {node: _opening(draw(openings)) for node in range(terminals, n)}
    return order, _matrix(coords), service, hours


@given(tour=tours())
def test_arrival_times_are_the_legs_and_stays_summed_along_the_order(tour: tuple) -> None:
    order, seconds, service, _ = tour
    arrivals = arrival_times(order, seconds, service)
    # Then the k-th arrival is every leg before it plus every stay before it, nothing else
    for k in range(len(order)):
        legs = sum(seconds[a][b] for a, b in itertools.pairwise(order[: k + 1]))
        stays = sum(service[node] for node in order[:k])
        assert math.isclose(arrivals[k], legs + stays, rel_tol=1e-12, abs_tol=1e-9)


@given(tour=tours(), slack=st.sampled_from([0.0, 900.0]))
@settings(max_examples=300)
def test_a_kept_route_never_visits_a_place_while_it_is_closed(tour: tuple, slack: float) -> None:
    order, seconds, service, hours = tour
    # When the closed stops are taken out
    kept = keep_open(order, seconds, service, hours, slack)
    # Then what remains is the same route with stops removed, and the same ends
    assert (kept[0], kept[-1]) == (order[0], order[-1])
    positions = [order.index(node) for node in kept[1:-1]]
    assert positions == sorted(positions)
    # And every stop is open (or unknown) from its exact arrival until its stay ends
    arrivals = arrival_times(kept, seconds, service)
    for node, at in zip(kept[1:-1], arrivals[1:-1], strict=True):
        opening = hours[node]
        assert opening.state(at, service[node] + slack) != "closed"
        if opening.windows is not None:
            assert any(
                w.start_s <= at + 1e-6 and at + service[node] + slack <= w.end_s + 1e-6
                for w in opening.windows
            )
    # And the walk got no longer (streets obey the triangle inequality)
    assert arrivals[-1] <= arrival_times(order, seconds, service)[-1] + 1e-6


@given(tour=tours())
def test_closed_stops_are_exactly_those_a_state_check_calls_closed(tour: tuple) -> None:
    order, seconds, service, hours = tour
    states = stop_states(order, seconds, service, hours)
    closed = closed_stops(order, seconds, service, hours)
    assert closed == [n for n, s in zip(order[1:-1], states, strict=True) if s == "closed"]
    # A route with nothing closed is kept whole; one with something closed loses a stop
    kept = keep_open(order, seconds, service, hours)
    assert (kept == order) == (not closed)


def test_an_earlier_arrival_can_close_a_later_stop() -> None:
    # Given A (closed by its arrival) then B, which opens only after A's visit would end
    seconds = [[0, 100, 200], [100, 0, 100], [200, 100, 0]]
    service = [0.0, 600.0, 60.0]
    hours = {
        1: PlaceOpening("A", (OpenWindow(0.0, 50.0),)),
        2: PlaceOpening("B", (OpenWindow(700.0, 5000.0),)),
    }
    # When A is dropped, B is reached at 200 s, before it opens at 700 s
    assert closed_stops([0, 1, 2, 0], seconds, service, hours) == [1]
    # Then B goes too: the check runs again after each removal
    assert keep_open([0, 1, 2, 0], seconds, service, hours) == [0, 0]


def test_a_place_that_closes_during_the_visit_is_closed() -> None:
    # Given a museum open until 1000 s, reached at 600 s for a 600 s visit
    museum = PlaceOpening("…", (OpenWindow(0.0, 1000.0),))
    # Then it is closed for that visit, open for a 400 s one, and a door shut at arrival is closed
    assert museum.state(600.0, 600.0) == "closed"
    assert museum.state(600.0, 400.0) == "open"
    assert museum.state(1000.0, 0.0) == "open"  # the very second it closes, with no stay
    assert museum.state(1000.1, 0.0) == "closed"


def test_windows_that_touch_are_one_and_unknown_spans_say_so() -> None:
    windows = merged_windows(
        [OpenWindow(600.0, 900.0), OpenWindow(0.0, 600.0), OpenWindow(2000.0, 2500.0, False)]
    )
    assert windows == (OpenWindow(0.0, 900.0), OpenWindow(2000.0, 2500.0, False))
    opening = PlaceOpening("…", windows)
    assert opening.state(500.0, 300.0) == "open"  # across the seam of two rules
    assert opening.state(2100.0, 100.0) == "unknown"
    assert opening.state(800.0, 1300.0) == "closed"


def test_fits_knows_walking_there_and_back() -> None:
    # Given a café open from 1800 s to 2400 s, a 600 s visit
    cafe = PlaceOpening("…", (OpenWindow(1800.0, 2400.0),))
    # Then an arrival from 0 to 1800 s finds it open at 1800 s, one from 1900 s does not
    assert cafe.fits(0.0, 1800.0, 600.0) is True
    assert cafe.fits(1900.0, 5000.0, 600.0) is False
    # And it has room in a 2400 s tour, not in a 2000 s one
    assert cafe.has_room(600.0, 2400.0) is True
    assert cafe.has_room(600.0, 2000.0) is False
    assert PlaceOpening(None).fits(9e9, 0.0, 1.0) is True  # unknown hours never rule out
