"""``/tiles`` through the real app and PostGIS, on central Helsinki: MVT, TileJSON, problems."""

from __future__ import annotations

import gzip
from pathlib import Path

import psycopg
import pytest

from adapters.composition import build_ingest
from tests.service_stack import BASE_URL, Stack
from tests.support import mvt
from wildside.domain.vector_tiles import LAYERS, TileAddress
from wildside.ports.progress import SilentProgress

PROBLEM = "application/problem+json"
CENTRE = (60.1712, 24.9441)  # the Esplanadi end of central Helsinki


@pytest.fixture
def helsinki(stack: Stack, helsinki_pbf: Path) -> Stack:
    build_ingest(stack.settings, SilentProgress())(helsinki_pbf)
    return stack


def _tile(stack: Stack, source: str, address: TileAddress, **headers: str) -> bytes:
    answer = stack.client.get(
        f"/tiles/{source}/{address.z}/{address.x}/{address.y}.pbf", headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/x-protobuf"
    return answer.content


def _rows_in(stack: Stack, view: str, address: TileAddress) -> int:
    with psycopg.connect(stack.settings.require_database_url()) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM tiles.{view} WHERE geom && ST_TileEnvelope(%s, %s, %s)",
            (address.z, address.x, address.y),
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize("z", [14, 16])
def test_helsinki_tiles_are_valid_mvt_with_every_row_of_the_tile(helsinki: Stack, z: int) -> None:
    # Given central Helsinki ingested, and the tile at zoom z around its centre
    address = TileAddress.containing(*CENTRE, z)
    for name, layer in LAYERS.items():
        # When the layer's tile is asked for, without any credential
        layers = mvt.decode(_tile(helsinki, name, address))
        # Then it is one v2 layer of that name holding every row the tile touches (and
        # the few the 64-unit buffer adds), each with the view's columns as properties
        assert list(layers) == [name]
        decoded = layers[name]
        assert (decoded.version, decoded.extent) == (2, 4096)
        rows = _rows_in(helsinki, name, address)
        assert rows > 0
        assert len(decoded.features) >= rows
        expected_type = mvt.POINT if name == "pois" else mvt.LINESTRING
        assert {f.type for f in decoded.features} == {expected_type}
        fields = {field for field, _ in layer.fields}
        assert all(set(f.properties) <= fields for f in decoded.features)
        assert all(
            {"id", "themes"} <= set(f.properties) for f in decoded.features if name == "pois"
        )


def test_a_large_tile_travels_gzipped_to_a_client_that_takes_it(helsinki: Stack) -> None:
    # Given the z14 walking-network tile around the centre (about 130 kB)
    address = TileAddress.containing(*CENTRE, 14)
    url = f"/tiles/walk_edges/{address.z}/{address.x}/{address.y}.pbf"
    plain = helsinki.client.get(url, headers={"Accept-Encoding": "identity"})
    # When a client that takes gzip asks for it (httpx decodes the body for us)
    with helsinki.client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as answer:
        sent = b"".join(answer.iter_raw())
        decoded = gzip.decompress(sent)
        headers = answer.headers
    # Then it is gzip on the wire, about half the bytes, the same tile once decoded
    assert "content-encoding" not in plain.headers
    assert headers["content-encoding"] == "gzip"
    assert len(sent) < 0.7 * len(plain.content)
    assert decoded == plain.content
    assert headers["etag"] == f"W/{plain.headers['etag']}"
    assert headers["vary"] == "Accept-Encoding"


def test_a_composite_tile_is_both_layers(helsinki: Stack) -> None:
    address = TileAddress.containing(*CENTRE, 15)
    both = mvt.decode(_tile(helsinki, "pois,walk_edges", address))
    assert list(both) == ["pois", "walk_edges"]
    alone = mvt.decode(_tile(helsinki, "pois", address))
    assert len(both["pois"].features) == len(alone["pois"].features)


def test_outside_the_data_and_below_minzoom_tiles_are_empty(helsinki: Stack) -> None:
    tampere = TileAddress.containing(61.4978, 23.7610, 14)
    assert _tile(helsinki, "pois", tampere) == b""
    below = TileAddress.containing(*CENTRE, LAYERS["walk_edges"].minzoom - 1)
    assert _tile(helsinki, "walk_edges", below) == b""


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/pois/14/16384/0.pbf",
        "/tiles/pois/99/0/0.pbf",
        "/tiles/pois/14/-1/0.pbf",
        "/tiles/pois/x/y/z.pbf",
        "/tiles/buildings/14/9327/4742.pbf",
        "/tiles/pois/14/9327/4742.mvt",
        "/tiles/buildings.json",
    ],
)
def test_a_bad_address_is_a_404_problem_never_a_500(helsinki: Stack, path: str) -> None:
    answer = helsinki.client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] in ("no-such-tile", "unknown-tile-source")


def test_tilejson_describes_the_source_from_the_database(helsinki: Stack) -> None:
    answer = helsinki.client.get("/tiles/walk_edges.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["tiles"] == [f"{BASE_URL}/tiles/walk_edges/{{z}}/{{x}}/{{y}}.pbf"]
    west, south, east, north = document["bounds"]
    assert west < CENTRE[1] < east
    assert south < CENTRE[0] < north
    # The attribution is migration 0016's comment on the view, the one Martin serves
    assert document["attribution"] == (
        '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>'
    )
    assert document["minzoom"] == 13


def test_an_import_changes_the_etag_and_a_current_one_is_not_modified(helsinki: Stack) -> None:
    address = TileAddress.containing(*CENTRE, 16)
    url = f"/tiles/pois/16/{address.x}/{address.y}.pbf"
    first = helsinki.client.get(url)
    etag = first.headers["etag"]
    assert helsinki.client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert (
        helsinki.client.get("/tiles/pois.json", headers={"If-None-Match": etag}).status_code == 304
    )
    # When an import (here, an Overpass top-up's record of one) moves the data version on
    with psycopg.connect(helsinki.settings.require_database_url(), autocommit=True) as conn:
        conn.execute("INSERT INTO map_imports (source, counts) VALUES ('test', '{}')")
    # Then the old tag is stale and the tile comes whole again under a new one
    again = helsinki.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["etag"] != etag
    assert again.content == first.content


def test_a_signed_in_caller_gets_public_tiles_without_their_session_cookie(
    helsinki: Stack,
) -> None:
    # Given a person signed in with a session cookie
    helsinki.user("walker", "a long walk in the park")
    login = helsinki.client.post(
        "/api/v1/login", json={"username": "walker", "password": "a long walk in the park"}
    )
    assert login.status_code == 200
    assert helsinki.client.get("/api/v1/me").headers.get("set-cookie")  # API answers renew it
    # When the map asks for a tile and a TileJSON (the browser sends the cookie along)
    address = TileAddress.containing(*CENTRE, 16)
    tile = helsinki.client.get(f"/tiles/pois/16/{address.x}/{address.y}.pbf")
    tile_json = helsinki.client.get("/tiles/pois.json")
    # Then the public, cacheable answers carry no cookie for a shared cache to keep
    for answer in (tile, tile_json):
        assert answer.status_code == 200
        assert answer.headers["cache-control"].startswith("public")
        assert "set-cookie" not in answer.headers
