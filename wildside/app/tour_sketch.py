"""Sketches of the solver's better tours while it searches, for followers to draw at once."""

from __future__ import annotations

from collections.abc import Callable

from wildside.domain.geo import GeoPoint
from wildside.domain.route_candidate import SketchStop, TourSketch
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import ScoredPoi
from wildside.ports.tour_engine import ImprovementCallback


def sketcher(
    request: RouteSpec,
    candidates: list[ScoredPoi],
    terminals: int,
    on_candidate: Callable[[TourSketch], object] | None,
) -> ImprovementCallback | None:
    """Turn the solver's improved routes (node indices) into sketches for ``on_candidate``."""
    if on_candidate is None:
        return None

    def improved(route: list[int], _score: float) -> None:
        places = [candidates[i - terminals].poi for i in route[1:-1]]
        stops = tuple(SketchStop(p.key, p.name, p.lat, p.lng) for p in places)
        # The final tour's score is the stops' scores summed in this order (Tour.score).
        score = round(sum(candidates[i - terminals].score for i in route[1:-1]), 6)
        end = request.end or request.start
        if request.end_anywhere and places:  # an open tour ends at its last stop
            end = GeoPoint(places[-1].lat, places[-1].lng)
        on_candidate(TourSketch(score, stops, request.start, end))

    return improved
