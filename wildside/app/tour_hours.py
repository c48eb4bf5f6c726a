"""Opening hours in one tour plan: closed places stay out, and the solve plans around closings.

The solver knows no time windows. ``TourHours`` keeps places closed for the
whole tour out of the candidates, solves, finds the stops closed at their
exact arrival (``wildside.domain.open_at_arrival``) and solves again without
them (a bounded number of times, the exclusions only growing), then removes
any stop still closed, so every stop of the tour is open when the walker
gets there and until the visit ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from wildside.domain.geo import GeoPoint
from wildside.domain.open_at_arrival import closed_stops, keep_open, states_along, stop_states
from wildside.domain.opening import (
    HOURS_TAG,
    UNKNOWN_OPENING,
    PlaceOpening,
    SkippedPlace,
    StopOpening,
    StopState,
)
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import ScoredPoi
from wildside.domain.start_time import start_window
from wildside.domain.tour import TourStop
from wildside.ports.opening_calendar import HoursQuery, OpeningCalendar
from wildside.ports.tour_engine import (
    ImprovementCallback,
    OrienteeringProblem,
    OrienteeringSolution,
    ProgressCallback,
    TourEngine,
)

# Solves per tour at most: the first, then again without the stops found closed.
# On Helsinki a second solve settles almost every tour (docs/benchmarks.md).
MAX_SOLVES = 3
MAX_SKIPPED = 10  # closed places a result lists, best first


class TourHours:
    """The opening hours of one request's places at its start, and the places they ruled out."""

    def __init__(
        self,
        calendar: OpeningCalendar,
        request: RouteSpec,
        places: Sequence[ScoredPoi],
        now: datetime,
    ) -> None:
        window = start_window(request.start_time, now)
        self.start_time = calendar.local_time(request.start, request.start_time or now)
        # A tour for "now" must hold for every start in its quarter hour: each visit
        # must stay open that much longer, over a horizon that much longer.
        self._slack_s = window.slack_s
        horizon_s = request.budget_s + window.slack_s
        tagged = [p for p in places if HOURS_TAG in p.poi.tags]
        queries = [
            HoursQuery(p.poi.tags[HOURS_TAG], GeoPoint(p.poi.lat, p.poi.lng)) for p in tagged
        ]
        found = calendar.openings(queries, window.earliest, horizon_s) if queries else []
        self._openings = {p.poi.key: o for p, o in zip(tagged, found, strict=True)}
        self._closed = {
            p.poi.key: p
            for p in tagged
            if not self._opening(p.poi.key).has_room(p.dwell_s + self._slack_s, horizon_s)
        }
        self._states: dict[str, StopState] = {}
        # Set by ``solve``: the problem's service times, each candidate node's key and hours.
        self._service: Sequence[float] = ()
        self._keys: dict[int, str] = {}
        self._nodes: dict[int, PlaceOpening] = {}

    def open_places(self, places: Sequence[ScoredPoi]) -> list[ScoredPoi]:
        """``places`` without those closed for the whole tour (they take no candidate slot)."""
        return [p for p in places if p.poi.key not in self._closed]

    def solve(
        self,
        engine: TourEngine,
        problem: OrienteeringProblem,
        candidates: Sequence[ScoredPoi],
        progress: ProgressCallback | None = None,
        improved: ImprovementCallback | None = None,
    ) -> OrienteeringSolution:
        """The engine's best tour whose every stop is open at its arrival (see the module).

        ``candidates`` are the problem's last nodes, in order, after its ends.
        """
        costs, service, slack = problem.costs, problem.service, self._slack_s
        terminals = len(problem.scores) - len(candidates)
        openings = {
            terminals + index: self._opening(place.poi.key)
            for index, place in enumerate(candidates)
            if self._opening(place.poi.key).is_known
        }
        # Places the budget lets the walker reach (straight there, and on to the end) but
        # no such arrival finds open; those out of reach anyway are the solver's to skip.
        excluded: set[int] = set()
        for node, opening in openings.items():
            earliest = costs[problem.start][node]
            latest = problem.budget - service[node] - costs[node][problem.end]
            if earliest <= latest and not opening.fits(earliest, latest, service[node] + slack):
                excluded.add(node)

        def sketch(route: list[int], _score: float) -> None:  # followers never see a closed stop
            if improved is not None:
                kept = keep_open(route, costs, service, openings, slack)
                improved(kept, sum(problem.scores[i] for i in set(kept)))

        iterations = 0
        for _ in range(MAX_SOLVES):
            scores = [0.0 if i in excluded else s for i, s in enumerate(problem.scores)]
            solution = engine.solve(
                replace(problem, scores=scores), progress, sketch if improved else None
            )
            iterations += solution.iterations
            closed = closed_stops(solution.route, costs, service, openings, slack)
            if not closed or solution.is_stopped_early:
                break
            excluded.update(closed)
        route = keep_open(solution.route, costs, service, openings, slack)
        late = (excluded | set(solution.route)) - set(route) - set(range(terminals))
        for node in late:
            place = candidates[node - terminals]
            self._closed.setdefault(place.poi.key, place)
        self._service, self._nodes = service, openings
        self._keys = {terminals + i: place.poi.key for i, place in enumerate(candidates)}
        states = stop_states(route, costs, service, openings, slack)
        self._states = {
            candidates[node - terminals].poi.key: state
            for node, state in zip(route[1:-1], states, strict=True)
            if state != "closed"  # never: keep_open removed them
        }
        score = sum(problem.scores[i] for i in set(route))
        return replace(solution, route=route, score=score, iterations=iterations)

    def is_open_along(self, walked: Sequence[int], leg_s: Sequence[float]) -> bool:
        """Whether every stop of ``walked`` is open when reached along legs of ``leg_s``.

        The legs as walked (``walked`` has no virtual end) may be longer than the
        shortest walks ``solve`` timed, or run the other way round.
        """
        return "closed" not in states_along(
            walked, leg_s, self._service, self._nodes, self._slack_s
        )

    def settle_along(self, walked: Sequence[int], leg_s: Sequence[float]) -> None:
        """Mark the stops with their states at the arrivals of the legs as walked."""
        states = states_along(walked, leg_s, self._service, self._nodes, self._slack_s)
        self._states = {
            self._keys[node]: state
            for node, state in zip(walked[1:], states, strict=True)
            if node in self._keys and state != "closed"  # never: the walk was checked
        }

    @property
    def closed(self) -> int:
        """How many places were left out as closed (for the tour's notes)."""
        return len(self._closed)

    def mark(self, stops: Sequence[TourStop]) -> list[TourStop]:
        """``stops`` saying whether each is open at arrival or unknown, with its hours as tagged."""
        return [
            replace(
                stop,
                opening=StopOpening(self._states.get(stop.key, "unknown"), self._hours(stop.key)),
            )
            for stop in stops
        ]

    def skipped(self, stops: Sequence[TourStop]) -> tuple[SkippedPlace, ...]:
        """Closed places scoring at least the tour's weakest stop, best first, at most ten."""
        floor = min((stop.score for stop in stops), default=0.0)
        good = sorted(
            (p for p in self._closed.values() if p.score >= floor),
            key=lambda p: (-p.score, p.poi.key),
        )
        return tuple(
            SkippedPlace(
                p.poi.key, p.poi.name, p.poi.lat, p.poi.lng, p.score, self._hours(p.poi.key)
            )
            for p in good[:MAX_SKIPPED]
        )

    def _opening(self, key: str) -> PlaceOpening:
        return self._openings.get(key, UNKNOWN_OPENING)

    def _hours(self, key: str) -> str | None:
        return self._opening(key).hours
