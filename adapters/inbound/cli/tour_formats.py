"""Render a ``Tour`` as GeoJSON, GPX or a readable text table."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from wildside.domain.tour import Tour


def to_geojson(tour: Tour) -> str:
    """A FeatureCollection: the walked LineString, then one Point per stop in order.

    Alternatives (``--alternatives K``) follow, the same features with an
    ``alternative`` property (1 for the first alternative, best first).
    """
    features = _features(tour, {})
    for number, other in enumerate(tour.alternatives, start=1):
        features.extend(_features(other, {"alternative": number, "score": round(other.score, 6)}))
    collection = {"type": "FeatureCollection", "features": features, **tour_summary(tour)}
    return json.dumps(collection, ensure_ascii=False)


def _features(tour: Tour, marks: dict[str, Any]) -> list[dict[str, Any]]:
    path_properties = {
        "kind": "path",
        "legs": [{"distance_m": leg.distance_m, "duration_s": leg.duration_s} for leg in tour.legs],
    }
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in tour.path]},
            "properties": {**path_properties, **marks},
        }
    ]
    for order, stop in enumerate(tour.stops, start=1):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stop.lng, stop.lat]},
                "properties": {
                    "kind": "stop",
                    "order": order,
                    "id": stop.key,
                    "name": stop.name,
                    "themes": list(stop.themes),
                    "score": stop.score,
                    "arrival_s": stop.arrival_s,
                    "dwell_s": stop.dwell_s,
                    "reason": stop.reason,
                    **({"alternative": marks["alternative"]} if marks else {}),
                    "opening": {"state": stop.opening.state, "hours": stop.opening.hours},
                },
            }
        )
    return features


def to_gpx(tour: Tour) -> str:
    """GPX 1.1: stops as waypoints, the walk as one track."""
    ns = "http://www.topografix.com/GPX/1/1"
    ET.register_namespace("", ns)
    gpx = ET.Element(f"{{{ns}}}gpx", version="1.1", creator="Wildside")
    metadata = ET.SubElement(gpx, f"{{{ns}}}metadata")
    ET.SubElement(metadata, f"{{{ns}}}name").text = "Wildside walking tour"
    ET.SubElement(metadata, f"{{{ns}}}copyright", author="OpenStreetMap contributors")
    for stop in tour.stops:
        point = ET.SubElement(gpx, f"{{{ns}}}wpt", lat=f"{stop.lat:.7f}", lon=f"{stop.lng:.7f}")
        ET.SubElement(point, f"{{{ns}}}name").text = stop.name or stop.key
        ET.SubElement(point, f"{{{ns}}}desc").text = stop.reason
    track = ET.SubElement(gpx, f"{{{ns}}}trk")
    ET.SubElement(track, f"{{{ns}}}name").text = "Walk"
    segment = ET.SubElement(track, f"{{{ns}}}trkseg")
    for lng, lat in tour.path:
        ET.SubElement(segment, f"{{{ns}}}trkpt", lat=f"{lat:.7f}", lon=f"{lng:.7f}")
    for number, other in enumerate(tour.alternatives, start=1):
        track = ET.SubElement(gpx, f"{{{ns}}}trk")
        ET.SubElement(track, f"{{{ns}}}name").text = f"Alternative {number}"
        segment = ET.SubElement(track, f"{{{ns}}}trkseg")
        for lng, lat in other.path:
            ET.SubElement(segment, f"{{{ns}}}trkpt", lat=f"{lat:.7f}", lon=f"{lng:.7f}")
    return ET.tostring(gpx, encoding="unicode", xml_declaration=True)


def to_text(tour: Tour) -> str:
    """A table of stops with arrival times, then totals."""
    lines = [f"{'#':>2}  {'arrive':>6}  {'stay':>4}  {'score':>5}  name — why"]
    for order, stop in enumerate(tour.stops, start=1):
        lines.append(
            f"{order:>2}  {_clock(stop.arrival_s):>6}  {stop.dwell_s / 60:>3.0f}m  "
            f"{stop.score:>5.2f}  {stop.name or stop.key} — {stop.reason}"
        )
    if not tour.stops and not tour.notes:
        lines.append("    (no stop fits the time budget)")
    lines.extend(f"    {note}" for note in tour.notes)  # why the tour is empty or has one stop
    if tour.skipped:  # the walker may wonder why a landmark is missing
        closed = ", ".join(p.name or p.key for p in tour.skipped)
        lines.append(f"    closed then: {closed}")
    lines.append(
        f"walk {tour.distance_m / 1000:.2f} km in {_clock(tour.walking_s)}, "
        f"stops {_clock(tour.dwell_s)}, total {_clock(tour.used_s)} of "
        f"{_clock(tour.budget_s)}; score {tour.score:.2f}; seed {tour.seed}"
    )
    for number, other in enumerate(tour.alternatives, start=1):
        lines.append(
            f"alternative {number}: score {other.score:.2f}, seed {other.seed}, "
            f"walk {other.distance_m / 1000:.2f} km, total {_clock(other.used_s)}"
        )
        lines.extend(
            f"{order:>2}  {_clock(stop.arrival_s):>6}  {stop.name or stop.key}"
            for order, stop in enumerate(other.stops, start=1)
        )
    lines.append(f"data {tour.data_version}; {tour.attribution}")
    return "\n".join(lines)


def document_to_text(route: dict[str, Any]) -> str:
    """The API's route document as the same table :func:`to_text` prints."""
    lines = [f"{'#':>2}  {'arrive':>6}  {'stay':>4}  {'score':>5}  name — why"]
    for order, stop in enumerate(route["stops"], start=1):
        lines.append(
            f"{order:>2}  {_clock(stop['arrival_offset_s']):>6}  {stop['dwell_s'] / 60:>3.0f}m  "
            f"{stop['score']:>5.2f}  {stop['name'] or stop['id']} — {stop['reason']}"
        )
    if not route["stops"] and not route.get("notes"):
        lines.append("    (no stop fits the time budget)")
    lines.extend(f"    {note}" for note in route.get("notes", ()))
    lines.append(
        f"walk {route['distance_m'] / 1000:.2f} km in {_clock(route['walking_s'])}, "
        f"stops {_clock(route['dwell_s'])}, total {_clock(route['used_s'])} of "
        f"{_clock(route['budget_s'])}; score {route['score']:.2f}; seed {route['seed']}"
    )
    lines.append(f"data {route['data_version']}; {route['attribution']}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def tour_summary(tour: Tour) -> dict[str, Any]:
    """The tour's totals and provenance, beside the GeoJSON features."""
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
            "retrace_share": d.retrace_share,
        },
        "attribution": tour.attribution,
        "notes": list(tour.notes),
        "start_time": None if tour.start_time is None else tour.start_time.isoformat(),
        "skipped": [
            {
                "id": p.key,
                "name": p.name,
                "lat": p.lat,
                "lng": p.lng,
                "score": p.score,
                "opening_hours": p.hours,
            }
            for p in tour.skipped
        ],
    }
