"""Steps for ``features/vector_tiles.feature``: the real app and PostGIS, central Helsinki."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.composition import build_ingest
from tests.service_stack import BASE_URL, Stack, make_stack
from tests.support import mvt
from wildside.domain.vector_tiles import TileAddress
from wildside.ports.progress import SilentProgress

__all__ = ["make_stack"]  # the fixture the steps build on

scenarios("vector_tiles.feature")


@dataclass
class Visit:
    """What a scenario has done so far."""

    build: Callable[..., Stack]
    stack: Stack | None = None
    responses: list[Any] = field(default_factory=list)
    path: str = ""
    etag: str = ""

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    def get(self, path: str, **headers: str) -> Any:
        response = self.service.client.get(path, headers=headers)
        self.responses.append(response)
        return response

    @property
    def last(self) -> Any:
        return self.responses[-1]


@pytest.fixture
def visit(make_stack: Callable[..., Stack]) -> Visit:
    return Visit(make_stack)


def _tile_path(source: str, z: int, lat: float, lng: float) -> str:
    address = TileAddress.containing(lat, lng, z)
    return f"/tiles/{source}/{z}/{address.x}/{address.y}.pbf"


@given("the service is running with central Helsinki loaded")
def _service(visit: Visit, helsinki_pbf: Path) -> None:
    visit.stack = visit.build()
    build_ingest(visit.stack.settings, SilentProgress())(helsinki_pbf)


@when(parsers.parse("I ask for the {source} tile at zoom {z:d} around {lat:f}, {lng:f}"))
def _ask_tile(visit: Visit, source: str, z: int, lat: float, lng: float) -> None:
    visit.get(_tile_path(source, z, lat, lng))


@then(parsers.parse('I get a vector tile with one layer "{name}" of lines'))
def _one_layer_of_lines(visit: Visit, name: str) -> None:
    assert visit.last.status_code == 200
    assert visit.last.headers["content-type"] == "application/x-protobuf"
    layers = mvt.decode(visit.last.content)
    assert list(layers) == [name]
    assert layers[name].features
    assert {feature.type for feature in layers[name].features} == {mvt.LINESTRING}


@then("each line says its way, its highway kind and its length")
def _line_properties(visit: Visit) -> None:
    for properties in mvt.properties(visit.last.content, "walk_edges"):
        assert {"way_id", "seq", "highway", "length_m"} <= set(properties)
        assert isinstance(properties["highway"], str)


@then(parsers.parse('I get a vector tile with the layers "{first}" and "{second}"'))
def _two_layers(visit: Visit, first: str, second: str) -> None:
    assert visit.last.status_code == 200
    assert list(mvt.decode(visit.last.content)) == [first, second]


@then("I get an empty tile")
def _empty(visit: Visit) -> None:
    assert visit.last.status_code == 200
    assert visit.last.content == b""


@when(parsers.parse("I ask for the TileJSON of {source}"))
def _ask_tile_json(visit: Visit, source: str) -> None:
    visit.get(f"/tiles/{source}.json")


@then("it names the tile URL, zooms 13 to 18, the data's bounds and the OpenStreetMap credit")
def _tile_json(visit: Visit) -> None:
    assert visit.last.status_code == 200
    document = visit.last.json()
    assert document["tiles"] == [f"{BASE_URL}/tiles/walk_edges/{{z}}/{{x}}/{{y}}.pbf"]
    assert (document["minzoom"], document["maxzoom"]) == (13, 18)
    west, south, east, north = document["bounds"]
    assert west < 24.9441 < east
    assert south < 60.1712 < north
    assert "© OpenStreetMap contributors" in document["attribution"]


@given(parsers.parse("I hold the {source} tile at zoom {z:d} around {lat:f}, {lng:f} with its tag"))
def _hold(visit: Visit, source: str, z: int, lat: float, lng: float) -> None:
    visit.path = _tile_path(source, z, lat, lng)
    first = visit.get(visit.path)
    assert first.status_code == 200
    visit.etag = first.headers["etag"]


@when("I ask for it again with that tag")
def _again(visit: Visit) -> None:
    visit.get(visit.path, **{"If-None-Match": visit.etag})


@then('the answer is "not modified"')
def _not_modified(visit: Visit) -> None:
    assert visit.last.status_code == 304
    assert visit.last.content == b""


@when("new map data is imported")
def _import(visit: Visit) -> None:
    # What an ingest or an Overpass top-up leaves behind: a new map_imports row.
    with psycopg.connect(visit.service.settings.require_database_url(), autocommit=True) as conn:
        conn.execute("INSERT INTO map_imports (source, counts) VALUES ('bdd', '{}')")


@then("I get the tile again under a new tag")
def _new_tag(visit: Visit) -> None:
    assert visit.last.status_code == 200
    assert visit.last.content
    assert visit.last.headers["etag"] != visit.etag


@when(parsers.parse('I ask for "{path}"'))
def _ask_path(visit: Visit, path: str) -> None:
    visit.get(path)


@then(parsers.parse('the last request is refused with {status:d} "{code}"'))
def _refused(visit: Visit, status: int, code: str) -> None:
    assert visit.last.status_code == status
    assert visit.last.headers["content-type"] == "application/problem+json"
    assert visit.last.json()["code"] == code
