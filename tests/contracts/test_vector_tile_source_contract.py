"""One behaviour suite for every ``VectorTileSource``: the in-memory fake and PostGIS."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.vector_tile_source import PostgresVectorTileSource
from tests.fakes.vector_tile_source import Edge, InMemoryVectorTileSource
from tests.support import mvt
from tests.support.places import insert_pois
from wildside.domain.scoring import Poi
from wildside.domain.vector_tiles import LAYERS, TileAddress
from wildside.ports.vector_tile_source import VectorTileSource

POIS = [
    Poi("node/1", "Ateneum", 60.1703, 24.9441, ("art", "culture"), 0.9, {"tourism": "museum"}),
    Poi("way/2", None, 60.1712, 24.9451, ("nature",), 0.25, {"leisure": "park"}),
]
EDGES = [
    Edge(7, 0, "footway", 55.6, ((60.1705, 24.9400), (60.1705, 24.9410))),
    Edge(7, 1, "footway", 40.0, ((60.1705, 24.9410), (60.1709, 24.9414))),
]
HERE = TileAddress.containing(60.1705, 24.9441, 15)
FAR = TileAddress.containing(61.5, 23.8, 15)  # Tampere: nothing stored there

Factory = Callable[[list[Poi], list[Edge], bool], VectorTileSource]


def _postgres(url: str) -> Factory:
    def build(pois: list[Poi], edges: list[Edge], imported: bool) -> VectorTileSource:
        insert_pois(url, pois)
        with psycopg.connect(url, autocommit=True) as conn:
            for edge in edges:
                line = ", ".join(f"{lng} {lat}" for lat, lng in edge.points)
                conn.execute(
                    "INSERT INTO walk_edges (way_id, seq, source, target, length_m, highway, geom)"
                    " VALUES (%s, %s, 1, 2, %s, %s, ST_GeomFromText(%s, 4326))",
                    (edge.way_id, edge.seq, edge.length_m, edge.highway, f"LINESTRING({line})"),
                )
            if imported:
                conn.execute("INSERT INTO map_imports (source, counts) VALUES ('test', '{}')")
        return PostgresVectorTileSource(per_call(url))

    return build


def _fake(pois: list[Poi], edges: list[Edge], imported: bool) -> VectorTileSource:
    return InMemoryVectorTileSource(list(pois), list(edges), "import-1" if imported else "empty")


@pytest.fixture(params=["fake", "postgres"])
def make(request: pytest.FixtureRequest) -> Factory:
    if request.param == "fake":
        return _fake
    return _postgres(request.getfixturevalue("migrated_database_url"))


def test_a_tile_holds_its_places_with_the_views_columns(make: Factory) -> None:
    # Given two stored places inside one z15 tile
    source = make(POIS, [], True)
    # When the tile of the pois layer is built
    layers = mvt.decode(source.tile(LAYERS["pois"], HERE))
    # Then it is one version-2 layer named pois, 4096 units across, holding both as points
    assert list(layers) == ["pois"]
    layer = layers["pois"]
    assert (layer.version, layer.extent) == (2, 4096)
    by_id = {f.properties["id"]: f for f in layer.features}
    assert sorted(by_id) == ["node/1", "way/2"]
    ateneum = by_id["node/1"]
    assert ateneum.type == mvt.POINT
    # themes travel as PostgreSQL's text form of the array, as Martin sends them too
    assert ateneum.properties["name"] == "Ateneum"
    assert ateneum.properties["themes"] == "{art,culture}"
    assert ateneum.properties["popularity"] == pytest.approx(0.9)
    assert "name" not in by_id["way/2"].properties  # a nameless place has no name
    ((point,),) = ateneum.parts
    assert all(0 <= c <= 4096 for c in point)


def test_a_tile_puts_a_place_where_it_is(make: Factory) -> None:
    # Given one place, at zoom 16 in the tile that holds it
    source = make(POIS[:1], [], True)
    address = TileAddress.containing(60.1703, 24.9441, 16)
    (feature,) = mvt.decode(source.tile(LAYERS["pois"], address))["pois"].features
    # Then its tile coordinates are Web Mercator's, y down, to the unit
    side = 1 << 16
    expected_x = ((24.9441 + 180) / 360 * side - address.x) * 4096
    assert feature.parts[0][0][0] == pytest.approx(expected_x, abs=1.0)
    assert 0 <= feature.parts[0][0][1] <= 4096


def test_a_tile_holds_its_walking_edges_as_lines(make: Factory) -> None:
    source = make([], EDGES, True)
    layers = mvt.decode(source.tile(LAYERS["walk_edges"], HERE))
    features = sorted(layers["walk_edges"].features, key=lambda f: int(f.properties["seq"]))
    assert [f.type for f in features] == [mvt.LINESTRING, mvt.LINESTRING]
    assert [len(f.parts[0]) for f in features] == [2, 2]
    assert features[0].properties["way_id"] == 7
    assert features[0].properties["highway"] == "footway"
    assert features[0].properties["length_m"] == pytest.approx(55.6)


def test_a_tile_with_nothing_in_it_is_empty(make: Factory) -> None:
    source = make(POIS, EDGES, True)
    assert source.tile(LAYERS["pois"], FAR) == b""
    assert source.tile(LAYERS["walk_edges"], FAR) == b""
    assert source.tile(LAYERS["pois"], TileAddress(0, 0, 0)) != b""  # the world holds them


def test_the_facts_are_the_osm_credit_and_the_data_bounds(make: Factory) -> None:
    source = make(POIS, EDGES, True)
    pois = source.facts(LAYERS["pois"])
    assert pois.attribution is not None
    assert "© OpenStreetMap contributors" in pois.attribution
    assert "https://www.openstreetmap.org/copyright" in pois.attribution
    assert pois.bounds is not None
    box = (pois.bounds.west, pois.bounds.south, pois.bounds.east, pois.bounds.north)
    assert box == pytest.approx((24.9441, 60.1703, 24.9451, 60.1712), abs=1e-6)
    edges = source.facts(LAYERS["walk_edges"]).bounds
    assert edges is not None
    assert (edges.west, edges.north) == pytest.approx((24.9400, 60.1709), abs=1e-6)


def test_an_empty_layer_has_no_bounds(make: Factory) -> None:
    source = make([], [], False)
    facts = source.facts(LAYERS["walk_edges"])
    assert facts.bounds is None
    assert facts.attribution is not None  # the credit is the data's, not the rows'


def test_the_data_version_names_the_newest_import(make: Factory) -> None:
    assert make([], [], False).data_version() == "empty"
    assert make(POIS, [], True).data_version().startswith("import-")
