"""One behaviour suite for every ``MapDataStore``: the in-memory fake and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest

from adapters.outbound.postgres.map_data_store import PostgresMapDataStore
from tests.fakes.map_data_store import InMemoryMapDataStore
from wildside.domain.map_data import PoiRecord, WalkEdge, WalkNode
from wildside.domain.walk_tiles import TileKey, tile_of
from wildside.ports.map_data_store import MapDataStore

POIS = [
    PoiRecord(
        "node", i, f"poi {i}", 60.0 + i / 1000, 24.9, {"historic": "memorial"}, ("history",), 0.1
    )
    for i in range(1, 26)
]
NODES = [WalkNode(100, 60.0, 24.9), WalkNode(101, 60.001, 24.9), WalkNode(102, 60.002, 24.9)]
EDGES = [
    WalkEdge(7, 0, 100, 101, 111.3, "footway", ((24.9, 60.0), (24.9, 60.001))),
    WalkEdge(7, 1, 101, 102, 111.3, "footway", ((24.9, 60.001), (24.9, 60.002))),
]


@pytest.fixture(params=["fake", "postgres"])
def store(request: pytest.FixtureRequest) -> MapDataStore:
    if request.param == "fake":
        return InMemoryMapDataStore()
    return PostgresMapDataStore(request.getfixturevalue("migrated_database_url"))


def _import(
    store: MapDataStore, pois: list[PoiRecord], edges: list[WalkEdge] = EDGES, batch_size: int = 10
):  # type: ignore[no-untyped-def]
    job = store.begin_import("contract.osm.pbf")
    job.stage_pois(pois)
    job.stage_network(NODES, edges)
    return job.commit(batch_size=batch_size)


def test_first_import_inserts_everything(store: MapDataStore) -> None:
    counts = _import(store, POIS)
    assert (counts.pois_inserted, counts.pois_updated, counts.pois_unchanged) == (25, 0, 0)
    assert (counts.network_nodes, counts.network_edges) == (3, 2)


def test_reimport_of_identical_rows_is_all_unchanged(store: MapDataStore) -> None:
    _import(store, POIS)
    counts = _import(store, POIS, batch_size=7)
    assert (counts.pois_inserted, counts.pois_updated, counts.pois_unchanged) == (0, 0, 25)


def test_changed_rows_are_updated_and_new_rows_inserted(store: MapDataStore) -> None:
    _import(store, POIS)
    renamed = dataclasses.replace(POIS[0], name="renamed")
    moved = dataclasses.replace(POIS[1], lat=61.0)
    retagged = dataclasses.replace(POIS[2], tags={"historic": "memorial", "wikidata": "Q1"})
    new = dataclasses.replace(POIS[3], osm_id=999)
    counts = _import(store, [renamed, moved, retagged, new, *POIS[4:]])
    assert (counts.pois_inserted, counts.pois_updated, counts.pois_unchanged) == (1, 3, 21)


def test_aborted_import_leaves_stored_data_as_it_was(store: MapDataStore) -> None:
    _import(store, POIS[:5])
    job = store.begin_import("broken.osm.pbf")
    job.stage_pois([dataclasses.replace(p, name="clobbered") for p in POIS])
    job.abort()
    counts = _import(store, POIS[:5])
    assert (counts.pois_inserted, counts.pois_updated, counts.pois_unchanged) == (0, 0, 5)


def test_a_tile_rebuild_lists_and_writes_every_tile_holding_a_vertex(store: MapDataStore) -> None:
    # Given an imported network
    _import(store, POIS)
    job = store.begin_tile_rebuild()
    try:
        # When its tiles are listed and rebuilt
        tiles = job.tiles()
        written = job.rebuild(tiles)
        removed = job.finish()
    finally:
        job.close()
    # Then they are the tiles of its vertices, each written once, none left over
    assert tiles == sorted({tile_of(node.lat, node.lng) for node in NODES})
    assert (written, removed) == (len(tiles), 0)


def test_a_cell_with_no_vertex_gets_no_tile(store: MapDataStore) -> None:
    _import(store, POIS)
    job = store.begin_tile_rebuild()
    try:
        assert job.rebuild([TileKey(0, 0)]) == 0
        assert TileKey(0, 0) not in job.tiles()
    finally:
        job.close()


def test_every_rebuild_takes_a_version_newer_than_the_last(store: MapDataStore) -> None:
    _import(store, POIS)
    versions = []
    for _ in range(2):
        job = store.begin_tile_rebuild()
        versions.append(job.version)
        job.close()
    assert versions[1] > versions[0]
