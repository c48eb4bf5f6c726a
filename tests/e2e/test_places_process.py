"""End to end: places near me from the real API process over central Helsinki's ingested POIs."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from tests.e2e.live_service import LiveService

pytestmark = pytest.mark.slow

CENTRE = {"lat": 60.1699, "lng": 24.9384, "radius_m": 600}


def test_every_place_in_a_circle_comes_once_over_pages(live: LiveService) -> None:
    # Given the places the ingest stored within 600 m of the railway square
    with psycopg.connect(live.database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pois WHERE ST_DWithin(location,"
            " ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography, %(radius_m)s)",
            CENTRE,
        ).fetchone()
    stored = row[0] if row else 0
    assert stored > 60  # more than one page of 50
    headers = {"Authorization": f"Bearer {live.user('places-walker')}"}
    # When a client reads every page
    seen: list[str] = []
    params: dict[str, object] = {**CENTRE, "limit": 50}
    with httpx.Client(base_url=live.base_url, headers=headers, timeout=10) as client:
        while True:
            response = client.get("/api/v1/pois", params=params)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/geo+json"
            body = response.json()
            seen += [feature["id"] for feature in body["features"]]
            if body["next"] is None:
                break
            params["cursor"] = body["next"]
        # Then each stored place came exactly once, with its OSM link
        assert len(seen) == len(set(seen)) == stored
        assert body["attribution"] == "© OpenStreetMap contributors"
        # And without a token the same question is refused
        assert httpx.get(f"{live.base_url}/api/v1/pois", params=CENTRE).status_code == 401
