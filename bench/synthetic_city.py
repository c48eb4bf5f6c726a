"""Generate a synthetic city (perturbed street grid + POIs) straight into a migrated database."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import psycopg

EARTH_M_PER_DEG = 111_195.0
ORIGIN_LAT, ORIGIN_LNG = 60.0, 25.0
THEME_KINDS = [
    ({"historic": "memorial"}, ["history"]),
    ({"tourism": "museum"}, ["culture", "history"]),
    ({"tourism": "artwork"}, ["art"]),
    ({"amenity": "cafe"}, ["food"]),
    ({"leisure": "park"}, ["nature"]),
    ({"amenity": "place_of_worship"}, ["architecture", "religion"]),
    ({"tourism": "viewpoint"}, ["nature", "views"]),
]


def generate(
    url: str, *, side: int, spacing_m: float = 70.0, pois_per_km2: float = 60.0, seed: int = 1
) -> dict[str, float]:
    """Write a ``side`` by ``side`` grid city; return its size and bounding box.

    Vertices are jittered by up to a fifth of the spacing and about 8 % of the
    blocks lose a street, so shortest paths are not trivially Manhattan. POIs
    are scattered uniformly at a central-European density with the tag mix
    above and popularity skewed low (most places are ordinary).
    """
    rng = np.random.default_rng(seed)
    lat_step = spacing_m / EARTH_M_PER_DEG
    lng_step = spacing_m / (EARTH_M_PER_DEG * math.cos(math.radians(ORIGIN_LAT)))
    rows, cols = np.divmod(np.arange(side * side, dtype=np.int64), side)
    jitter = rng.uniform(-0.2, 0.2, size=(2, side * side))
    lats = ORIGIN_LAT + (rows + jitter[0]) * lat_step
    lngs = ORIGIN_LNG + (cols + jitter[1]) * lng_step
    ids = np.arange(1, side * side + 1, dtype=np.int64)

    right = np.flatnonzero(cols < side - 1)
    down = np.flatnonzero(rows < side - 1)
    sources = np.concatenate((right, down))
    targets = np.concatenate((right + 1, down + side))
    keep = rng.random(len(sources)) > 0.08
    sources, targets = sources[keep], targets[keep]
    dlat = (lats[targets] - lats[sources]) * EARTH_M_PER_DEG
    dlng = (lngs[targets] - lngs[sources]) * EARTH_M_PER_DEG * math.cos(math.radians(ORIGIN_LAT))
    lengths = np.hypot(dlat, dlng)

    area_km2 = (side * spacing_m / 1000) ** 2
    poi_count = int(area_km2 * pois_per_km2)
    poi_lats = ORIGIN_LAT + rng.uniform(0, side - 1, poi_count) * lat_step
    poi_lngs = ORIGIN_LNG + rng.uniform(0, side - 1, poi_count) * lng_step
    kinds = rng.integers(0, len(THEME_KINDS), poi_count)
    popularity = np.round(rng.beta(1.2, 5.0, poi_count), 3)

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE walk_nodes, walk_edges, walk_tiles, pois, map_imports")
        with conn.cursor() as cur:
            with cur.copy("COPY walk_nodes (id, geom) FROM STDIN") as copy:
                for node_id, lat, lng in zip(
                    ids.tolist(), lats.tolist(), lngs.tolist(), strict=True
                ):
                    copy.write_row((node_id, f"SRID=4326;POINT({lng!r} {lat!r})"))
            with cur.copy(
                "COPY walk_edges (way_id, seq, source, target, length_m, highway, geom) FROM STDIN"
            ) as copy:
                lng_list, lat_list = lngs.tolist(), lats.tolist()
                for way, (s, t, length) in enumerate(
                    zip(sources.tolist(), targets.tolist(), lengths.tolist(), strict=True)
                ):
                    line = (
                        f"SRID=4326;LINESTRING({lng_list[s]!r} {lat_list[s]!r},"
                        f"{lng_list[t]!r} {lat_list[t]!r})"
                    )
                    copy.write_row((way + 1, 0, s + 1, t + 1, length, "residential", line))
            with cur.copy(
                "COPY pois (element_type, id, name, location, tags, themes, popularity, source)"
                " FROM STDIN"
            ) as copy:
                for index in range(poi_count):
                    tags, themes = THEME_KINDS[int(kinds[index])]
                    name = f"Place {index}"
                    copy.write_row(
                        (
                            "node",
                            index + 1,
                            name,
                            _point(float(poi_lngs[index]), float(poi_lats[index])),
                            json.dumps({**tags, "name": name}),
                            "{" + ",".join(themes) + "}",
                            float(popularity[index]),
                            "synthetic",
                        )
                    )
        conn.execute(
            "INSERT INTO map_imports (source, counts) VALUES ('synthetic', %s)",
            (json.dumps({"nodes": len(ids), "edges": len(sources), "pois": poi_count}),),
        )
        conn.execute("ANALYZE")
        tiles_s = build_tiles(conn)
    summary = _summary(side, spacing_m, len(ids), len(sources), poi_count)
    summary["tiles_seconds"] = tiles_s
    return summary


def build_tiles(conn: psycopg.Connection) -> float:
    """Build every walking-graph tile (rows written by COPY, not by an ingest); seconds taken."""
    from adapters.outbound.postgres.walk_tile_builder import all_tiles, rebuild_tiles

    began = time.perf_counter()
    version = conn.execute("SELECT max(id) FROM map_imports").fetchone()
    with conn.transaction():
        rebuild_tiles(conn, all_tiles(conn), int(version[0]) if version and version[0] else 1)
    return time.perf_counter() - began


def describe(url: str, *, side: int, spacing_m: float = 70.0) -> dict[str, float]:
    """The summary ``generate`` returned, for a city generated by an earlier run."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM walk_nodes), (SELECT count(*) FROM walk_edges),"
            " (SELECT count(*) FROM pois)"
        ).fetchone()
    assert row is not None
    return _summary(side, spacing_m, *row)


def _summary(side: int, spacing_m: float, vertices: int, edges: int, pois: int) -> dict[str, float]:
    lat_step = spacing_m / EARTH_M_PER_DEG
    lng_step = spacing_m / (EARTH_M_PER_DEG * math.cos(math.radians(ORIGIN_LAT)))
    return {
        "vertices": float(vertices),
        "edges": float(edges),
        "pois": float(pois),
        "centre_lat": ORIGIN_LAT + (side / 2) * lat_step,
        "centre_lng": ORIGIN_LNG + (side / 2) * lng_step,
        "half_extent_deg_lat": (side / 2) * lat_step,
        "half_extent_deg_lng": (side / 2) * lng_step,
    }


def _point(lng: float, lat: float) -> str:
    return f"SRID=4326;POINT({lng!r} {lat!r})"
