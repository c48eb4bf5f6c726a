"""``/tiles`` over HTTP: the gateway's URL scheme, problems for bad addresses, caching and CORS."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.inbound.http.app import create_app, openapi_document
from adapters.inbound.http.services import HttpServices
from tests.fakes.vector_tile_source import Edge, InMemoryVectorTileSource
from tests.support import defaults, mvt
from tests.support.http_services import SilentTelemetry, http_services
from wildside.app.vector_tiles import VectorTiles
from wildside.domain.scoring import Poi
from wildside.domain.vector_tiles import TileAddress

PLACE = Poi("node/1", "Ateneum", 60.1703, 24.9441, ("art",), 0.9, {})
STREET = Edge(7, 0, "footway", 55.6, ((60.1703, 24.9430), (60.1703, 24.9450)))
Z16 = TileAddress.containing(60.1703, 24.9441, 16)
TILE = f"/tiles/pois/16/{Z16.x}/{Z16.y}.pbf"


@contextlib.contextmanager
def _client(**settings: Any) -> Iterator[TestClient[Any]]:
    source = InMemoryVectorTileSource([PLACE], [STREET], "import-5")

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[HttpServices]:
        yield http_services(vector_tiles=VectorTiles(source))  # nothing else: no auth here

    app = create_app(opened, defaults.http_settings(**settings), SilentTelemetry())
    with TestClient(app) as client:  # type: ignore[type-var]
        yield client


def test_a_tile_is_a_protobuf_with_cache_headers_and_no_credential() -> None:
    with _client() as client:
        answer = client.get(TILE, headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-protobuf"
    assert answer.headers["cache-control"] == "public, max-age=60"
    assert answer.headers["etag"] == '"t1-import-5"'
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert "access-control-allow-origin" not in answer.headers  # same origin only by default
    assert [p["name"] for p in mvt.properties(answer.content, "pois")] == ["Ateneum"]


def test_a_credential_changes_nothing_even_a_bad_one() -> None:
    with _client() as client:
        plain = client.get(TILE)
        bad = client.get(TILE, headers={"Authorization": "Bearer wst_nonsense"})
    assert bad.status_code == plain.status_code == 200
    assert bad.content == plain.content


def test_the_tag_sent_back_is_answered_not_modified() -> None:
    with _client() as client:
        etag = client.get(TILE).headers["etag"]
        again = client.get(TILE, headers={"If-None-Match": etag})
        other = client.get(TILE, headers={"If-None-Match": '"t1-import-4"'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert other.status_code == 200


def test_a_client_that_takes_gzip_gets_a_weak_tag_and_either_tag_revalidates() -> None:
    with _client() as client:
        strong = client.get(TILE, headers={"Accept-Encoding": "identity"}).headers["etag"]
        weak = client.get(TILE, headers={"Accept-Encoding": "gzip"})
        both = [
            client.get(TILE, headers={"Accept-Encoding": encoding, "If-None-Match": tag})
            for encoding in ("gzip", "identity")
            for tag in (strong, weak.headers["etag"])
        ]
    assert weak.headers["etag"] == f"W/{strong}"
    # A tile this small is not worth compressing: same bytes, no Content-Encoding
    assert "content-encoding" not in weak.headers
    assert [answer.status_code for answer in both] == [304] * 4


def test_a_tile_below_the_networks_minzoom_is_empty() -> None:
    z12 = TileAddress.containing(60.1703, 24.9441, 12)
    with _client() as client:
        answer = client.get(f"/tiles/walk_edges/12/{z12.x}/{z12.y}.pbf")
    assert answer.status_code == 200
    assert answer.content == b""


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/tiles/roads/1/0/0.pbf", "unknown-tile-source"),
        ("/tiles/pois,pois/1/0/0.pbf", "unknown-tile-source"),
        ("/tiles/pois/1/2/0.pbf", "no-such-tile"),
        ("/tiles/pois/23/0/0.pbf", "no-such-tile"),
        ("/tiles/pois/1/0/-1.pbf", "no-such-tile"),
        ("/tiles/pois/a/0/0.pbf", "no-such-tile"),
        ("/tiles/pois/1/0/0.png", "no-such-tile"),
        ("/tiles/pois/1/0/0", "no-such-tile"),
        ("/tiles/pois/1/0/%00.pbf", "no-such-tile"),
        ("/tiles/pois/1/0/" + "9" * 5000 + ".pbf", "no-such-tile"),
        ("/tiles/pois", "no-such-tile"),
        ("/tiles/roads.json", "unknown-tile-source"),
        ("/tiles/.json", "unknown-tile-source"),
    ],
)
def test_a_bad_address_is_a_404_problem(path: str, code: str) -> None:
    with _client() as client:
        answer = client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert path not in answer.text  # problems never echo the path


def test_tilejson_names_the_tile_url_zooms_bounds_fields_and_credit() -> None:
    with _client() as client:
        answer = client.get("/tiles/walk_edges.json", headers={"Host": "maps.example:8000"})
    assert answer.status_code == 200
    assert answer.headers["etag"] == '"t1-import-5"'
    document = answer.json()
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"] == ["http://maps.example:8000/tiles/walk_edges/{z}/{x}/{y}.pbf"]
    assert (document["minzoom"], document["maxzoom"]) == (13, 18)
    assert document["bounds"] == pytest.approx([24.9430, 60.1703, 24.9450, 60.1703])
    assert "© OpenStreetMap contributors" in document["attribution"]
    (layer,) = document["vector_layers"]
    assert layer["id"] == "walk_edges"
    assert layer["fields"] == {
        "way_id": "Number",
        "seq": "Number",
        "highway": "String",
        "length_m": "Number",
    }


def test_cors_is_off_unless_origins_are_configured() -> None:
    with _client() as client:
        answer = client.get(TILE, headers={"Origin": "https://app.example"})
        preflight = client.options(
            TILE, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
        )
    assert "access-control-allow-origin" not in answer.headers
    assert preflight.status_code == 204
    assert "access-control-allow-origin" not in preflight.headers


def test_a_listed_origin_is_granted_and_the_answer_varies_by_origin() -> None:
    with _client(tile_cors_origins=("https://app.example",), tile_cors_max_age_s=600) as client:
        granted = client.get(TILE, headers={"Origin": "https://app.example"})
        refused = client.get(TILE, headers={"Origin": "https://evil.example"})
        problem = client.get("/tiles/roads.json", headers={"Origin": "https://app.example"})
        preflight = client.options(
            "/tiles/pois.json",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-request-id",
            },
        )
    assert granted.headers["access-control-allow-origin"] == "https://app.example"
    assert granted.headers["vary"] == "Accept-Encoding, Origin"
    assert "access-control-allow-origin" not in refused.headers
    assert refused.headers["vary"] == "Accept-Encoding, Origin"
    assert problem.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.headers["access-control-allow-methods"] == "GET"
    assert preflight.headers["access-control-allow-headers"] == "x-request-id"
    assert preflight.headers["access-control-max-age"] == "600"


def test_any_origin_is_one_star_for_every_answer() -> None:
    with _client(tile_cors_origins=("*",)) as client:
        answer = client.get(TILE)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["vary"] == "Accept-Encoding"  # not by origin


def test_cors_stays_off_the_api() -> None:
    with _client(tile_cors_origins=("*",)) as client:
        answer = client.get("/health/live", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_the_openapi_document_has_the_gateways_paths_with_typed_segments() -> None:
    paths = openapi_document(defaults.http_settings())["paths"]
    assert isinstance(paths, dict)
    tile = paths["/tiles/{source}/{z}/{x}/{y}.pbf"]["get"]
    by_name = {p["name"]: p["schema"] for p in tile["parameters"]}
    assert by_name["source"]["enum"] == ["pois", "walk_edges", "pois,walk_edges", "walk_edges,pois"]
    assert by_name["z"] == {"type": "integer", "minimum": 0, "maximum": 22}
    assert by_name["y"]["type"] == "integer"
    assert "security" not in tile
    assert sorted(tile["responses"]) == ["200", "304", "404", "503", "504"]
    assert "/tiles/{source}.json" in paths
    assert not [p for p in paths if "{tile}" in p or "{document}" in p]
