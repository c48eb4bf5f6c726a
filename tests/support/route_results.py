"""Sample route results for tests: a typed value, and the untyped document older code stored."""

from __future__ import annotations

from typing import Any

from wildside.domain.route_result import (
    Budget,
    LatLng,
    LineString,
    RouteDiagnostics,
    RouteLeg,
    RoutePoint,
    RouteResult,
    RouteStop,
)


def sample_route_result(*, score: float = 1.4, name: str = "Tuomiokirkko") -> RouteResult:
    """A small two-stop round trip with non-ASCII text, as a worker would store it."""
    start = LatLng(60.1699, 24.9384)
    return RouteResult(
        points=(RoutePoint(60.17048, 24.95225, name), RoutePoint(60.1718, 24.9414, "Töölö")),
        distance_m=2340,
        start=start,
        end=start,
        stops=(
            RouteStop(
                "node/1", name, 60.17048, 24.95225, ("history",), 0.8, 300.0, 600.0, "history"
            ),
            RouteStop("way/2", None, 60.1718, 24.9414, ("nature",), 0.6, 1500.0, 300.0, "park"),
        ),
        legs=(RouteLeg(812.5, 625.0), RouteLeg(700.0, 538.5), RouteLeg(827.5, 636.5)),
        path=LineString("LineString", ((24.9384, 60.1699), (24.95225, 60.17048))),
        walking_s=1800.0,
        dwell_s=900.0,
        used_s=2700.0,
        budget_s=5400.0,
        budget=Budget(requested_s=5400.0, used_s=2700.0),
        score=score,
        seed=7,
        themes=("history", "nature"),
        data_version="import-1",
        diagnostics=RouteDiagnostics(40, 25, 0.01, 0.02, 0.05, 0.09, 1200),
        attribution="© OpenStreetMap contributors (ODbL)",
    )


def legacy_document(result: RouteResult) -> dict[str, Any]:
    """``result`` as the untyped ``route_document`` of 2026-11 stored it: no ``version`` key."""
    return {
        "points": [{"lat": p.lat, "lng": p.lng, "name": p.name} for p in result.points],
        "walking_s": result.walking_s,
        "dwell_s": result.dwell_s,
        "used_s": result.used_s,
        "budget_s": result.budget_s,
        "score": result.score,
        "seed": result.seed,
        "themes": list(result.themes),
        "data_version": result.data_version,
        "diagnostics": {
            "candidates_found": result.diagnostics.candidates_found,
            "candidates_considered": result.diagnostics.candidates_considered,
            "candidate_seconds": result.diagnostics.candidate_seconds,
            "matrix_seconds": result.diagnostics.matrix_seconds,
            "solve_seconds": result.diagnostics.solve_seconds,
            "total_seconds": result.diagnostics.total_seconds,
            "iterations": result.diagnostics.iterations,
            "cache_hit": result.diagnostics.cache_hit,
        },
        "attribution": result.attribution,
        "distance_m": result.distance_m,
        "start": {"lat": result.start.lat, "lng": result.start.lng},
        "end": {"lat": result.end.lat, "lng": result.end.lng},
        "stops": [
            {
                "id": s.id,
                "name": s.name,
                "lat": s.lat,
                "lng": s.lng,
                "themes": list(s.themes),
                "score": s.score,
                "arrival_offset_s": s.arrival_offset_s,
                "dwell_s": s.dwell_s,
                "reason": s.reason,
            }
            for s in result.stops
        ],
        "legs": [{"distance_m": g.distance_m, "duration_s": g.duration_s} for g in result.legs],
        "path": {"type": "LineString", "coordinates": [list(c) for c in result.path.coordinates]},
        "budget": {"requested_s": result.budget.requested_s, "used_s": result.budget.used_s},
    }
