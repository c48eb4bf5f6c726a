"""Vector tiles: addresses and sources as the URL gives them, zoom caps, ETags, TileJSON facts."""

from __future__ import annotations

import pytest

from tests.fakes.vector_tile_source import Edge, InMemoryVectorTileSource
from tests.support import mvt
from wildside.app.vector_tiles import VectorTiles
from wildside.domain.errors import NotFoundError
from wildside.domain.scoring import Poi
from wildside.domain.vector_tiles import (
    LAYERS,
    MAX_ZOOM,
    WORLD,
    NoSuchTileError,
    TileAddress,
    TileRequest,
    UnknownTileSourceError,
    is_fresh,
    parse_layers,
    tile_etag,
)

PLACE = Poi("node/1", "Ateneum", 60.1703, 24.9441, ("art",), 0.9, {})
STREET = Edge(7, 0, "footway", 55.6, ((60.1703, 24.9430), (60.1703, 24.9450)))


def _tiles(version: str = "import-3") -> tuple[VectorTiles, InMemoryVectorTileSource]:
    source = InMemoryVectorTileSource([PLACE], [STREET], version)
    return VectorTiles(source), source


def _request(source: str, z: int) -> TileRequest:
    return TileRequest(parse_layers(source), TileAddress.containing(60.1703, 24.9441, z))


@pytest.mark.parametrize(
    ("z", "x", "y"),
    [
        ("-1", "0", "0"),
        ("1", "2", "0"),
        ("1", "0", "2"),
        (str(MAX_ZOOM + 1), "0", "0"),
        ("14", "9330", "4740.5"),
        ("14", "0x10", "1"),
        ("", "0", "0"),
        ("1e3", "0", "0"),
        ("99999999999999999999", "0", "0"),
        ("\u0661", "0", "0"),  # an Arabic-Indic 1: int() takes it, the gateway's [0-9] does not
    ],
)
def test_an_address_outside_the_pyramid_is_no_tile(z: str, x: str, y: str) -> None:
    with pytest.raises(NoSuchTileError) as raised:
        TileAddress.parse(z, x, y)
    assert isinstance(raised.value, NotFoundError)  # answered 404, as the gateway does


def test_the_corners_of_the_pyramid_are_tiles() -> None:
    assert TileAddress.parse("0", "0", "0") == TileAddress(0, 0, 0)
    last = (1 << MAX_ZOOM) - 1
    assert TileAddress.parse(str(MAX_ZOOM), str(last), str(last)).x == last
    assert TileAddress.parse("014", "00", "0").z == 14  # leading zeros are still numbers


@pytest.mark.parametrize(
    "source", ["roads", "pois,pois", "pois,", ",pois", "", "POIS", "pois walk"]
)
def test_only_known_sources_each_once(source: str) -> None:
    with pytest.raises(UnknownTileSourceError):
        parse_layers(source)


def test_a_composite_source_keeps_its_order() -> None:
    assert [layer.name for layer in parse_layers("walk_edges,pois")] == ["walk_edges", "pois"]


def test_the_walking_network_is_empty_below_its_minzoom_and_costs_no_query() -> None:
    tiles, source = _tiles()
    answer = tiles.tile(_request("walk_edges", LAYERS["walk_edges"].minzoom - 1))
    assert answer.body == b""
    assert answer.etag == '"t1-import-3"'
    assert source.asked == []
    drawn = tiles.tile(_request("walk_edges", LAYERS["walk_edges"].minzoom))
    assert list(mvt.decode(drawn.body)) == ["walk_edges"]


def test_a_composite_tile_holds_each_layer_drawn_at_its_zoom() -> None:
    tiles, _ = _tiles()
    both = mvt.decode(tiles.tile(_request("pois,walk_edges", 16)).body)
    assert list(both) == ["pois", "walk_edges"]
    # z12: places from 12, the network from 13
    assert list(mvt.decode(tiles.tile(_request("pois,walk_edges", 12)).body)) == ["pois"]


def test_the_etag_follows_the_data_version_and_a_current_copy_is_not_sent_again() -> None:
    tiles, source = _tiles("import-3")
    first = tiles.tile(_request("pois", 15))
    # When the caller sends the tag back while the data is unchanged
    again = tiles.tile(_request("pois", 15), if_none_match=first.etag)
    # Then nothing is built and the answer says "not modified"
    assert again.is_not_modified
    assert again.body == b""
    assert len(source.asked) == 1
    # When an import moves the version on, the same tag no longer matches
    source.version = "import-4"
    changed = tiles.tile(_request("pois", 15), if_none_match=first.etag)
    assert not changed.is_not_modified
    assert changed.etag == tile_etag("import-4") != first.etag
    assert changed.body == first.body


def test_if_none_match_compares_weakly_and_knows_any() -> None:
    assert is_fresh('W/"t1-import-3"', '"t1-import-3"')
    assert is_fresh('"a", "t1-import-3"', '"t1-import-3"')
    assert is_fresh("*", '"t1-import-3"')
    assert not is_fresh('"t1-import-2"', '"t1-import-3"')
    assert not is_fresh("", '"t1-import-3"')


def test_a_tile_set_says_zooms_bounds_fields_and_credit() -> None:
    tiles, _ = _tiles()
    answer = tiles.tile_set(parse_layers("pois,walk_edges"))
    described = answer.tile_set
    assert described is not None
    assert described.name == "pois,walk_edges"
    assert described.minzoom == 12
    assert described.maxzoom == 18
    assert described.attribution is not None
    assert described.attribution.count("OpenStreetMap contributors") == 1  # one credit, not two
    box = described.bounds
    assert (box.west, box.south, box.east, box.north) == pytest.approx(
        (24.9430, 60.1703, 24.9450, 60.1703)
    )
    assert [layer.name for layer in described.layers] == ["pois", "walk_edges"]
    assert answer.etag == '"t1-import-3"'


def test_layer_facts_are_read_once_per_data_version() -> None:
    tiles, source = _tiles("import-3")
    tiles.tile_set(parse_layers("pois"))
    tiles.tile_set(parse_layers("pois"))
    assert source.asked == ["facts pois"]
    source.version = "import-4"
    tiles.tile_set(parse_layers("pois"))
    assert source.asked == ["facts pois", "facts pois"]


def test_an_empty_source_claims_the_world_and_a_current_copy_is_not_described() -> None:
    source = InMemoryVectorTileSource([], [], "empty")
    tiles = VectorTiles(source)
    answer = tiles.tile_set(parse_layers("walk_edges"))
    assert answer.tile_set is not None
    assert answer.tile_set.bounds == WORLD
    assert tiles.tile_set(parse_layers("walk_edges"), if_none_match=answer.etag).tile_set is None
