"""Stored places for tests: rows written straight into ``pois``, as an ingest would leave them."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg.types.json import Jsonb

from wildside.domain.scoring import Poi


def insert_pois(url: str, pois: Iterable[Poi]) -> None:
    """Write ``pois`` (keys ``type/id``) into the database at ``url``."""
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO pois (element_type, id, name, location, tags, themes, popularity, source)"
            " VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s, %s, 'test')",
            [
                (
                    poi.key.split("/")[0],
                    int(poi.key.split("/")[1]),
                    poi.name,
                    poi.lng,
                    poi.lat,
                    Jsonb(dict(poi.tags)),
                    list(poi.themes),
                    poi.popularity,
                )
                for poi in pois
            ],
        )


def grid_of_places(count: int, lat: float = 60.17, lng: float = 24.94) -> list[Poi]:
    """``count`` places a few metres apart around a point, popularities with many ties."""
    return [
        Poi(
            f"{('node', 'way', 'relation')[i % 3]}/{1000 + i}",
            f"Place {i}",
            lat + (i % 10) * 2e-4,
            lng + (i // 10) * 4e-4,
            (("history",), ("art", "culture"), ("nature", "views"), ("food",))[i % 4],
            (0.05, 0.3, 0.3, 0.8, 0.3)[i % 5],
            {"tourism": "museum", "opening_hours": "Tu-Su 10:00-18:00", "wikipedia": "fi:Paikka"}
            if i % 7 == 0
            else {"historic": "memorial"},
        )
        for i in range(count)
    ]
