"""A tour's totals and provenance as plain JSON-ready data, for the command line's formats."""

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
