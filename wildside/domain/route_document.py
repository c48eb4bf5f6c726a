"""A computed tour as plain JSON-ready data: what the API returns and the cache stores."""

from __future__ import annotations

from typing import Any

from wildside.domain.tour import Tour


def tour_summary(tour: Tour) -> dict[str, Any]:
    """The tour's totals and provenance, shared by every output format."""
    d = tour.diagnostics
    return {
        "distance_m": round(tour.distance_m, 1),
        "walking_s": round(tour.walking_s, 1),
        "dwell_s": round(tour.dwell_s, 1),
        "used_s": round(tour.used_s, 1),
        "budget_s": tour.budget_s,
        "score": round(tour.score, 6),
        "seed": tour.seed,
        "themes": list(tour.themes),
        "data_version": tour.data_version,
        "diagnostics": {
            "candidates_found": d.candidates_found,
            "candidates_considered": d.candidates_considered,
            "candidate_seconds": d.candidate_seconds,
            "matrix_seconds": d.matrix_seconds,
            "solve_seconds": d.solve_seconds,
            "total_seconds": d.total_seconds,
            "iterations": d.iterations,
        },
        "attribution": tour.attribution,
    }


def route_document(tour: Tour) -> dict[str, Any]:
    """The ``route`` object of the API: the seed's shape first, the richer fields beside it.

    ``points`` (``lat``, ``lng``, ``name`` per stop, in visiting order) and
    ``distance_m`` (whole metres) are exactly the seed's contract; ``stops``
    carries everything known about each stop, ``path`` the walk as a GeoJSON
    LineString, ``legs`` each walk between consecutive points.
    """
    summary = tour_summary(tour)
    return {
        "points": [{"lat": s.lat, "lng": s.lng, "name": s.name or s.key} for s in tour.stops],
        **summary,
        "distance_m": round(tour.distance_m),
        "start": {"lat": tour.start.lat, "lng": tour.start.lng},
        "end": {"lat": tour.end.lat, "lng": tour.end.lng},
        "stops": [
            {
                "id": s.key,
                "name": s.name,
                "lat": s.lat,
                "lng": s.lng,
                "themes": list(s.themes),
                "score": s.score,
                "arrival_offset_s": s.arrival_s,
                "dwell_s": s.dwell_s,
                "reason": s.reason,
            }
            for s in tour.stops
        ],
        "legs": [{"distance_m": leg.distance_m, "duration_s": leg.duration_s} for leg in tour.legs],
        "path": {"type": "LineString", "coordinates": [[lng, lat] for lng, lat in tour.path]},
        "budget": {"requested_s": tour.budget_s, "used_s": round(tour.used_s, 1)},
    }
