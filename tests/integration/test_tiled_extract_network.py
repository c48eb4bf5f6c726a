"""The tiled benchmark extract's walking network is N x N faithful copies of the original.

``bench/tile_extract.py`` builds the large file the ingest benchmark reads;
networkx checks that the network ingest finds in it is the original's,
copied: no street joins two tiles, every tile has exactly the original's
vertices and edges (ids shifted by the tile's offset), and so the islands
multiply by the number of tiles.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from adapters.outbound.osm.pyosmium_source import PyosmiumOsmExtractSource
from bench.tile_extract import id_offsets, load, write_tiled
from wildside.domain.poi_tags import POI_KEYS
from wildside.domain.walkability import is_walkable

TILES = 2


def walking_network(path: Path) -> nx.MultiGraph:
    """The network ingest would store, as a multigraph of OSM node ids with metres."""
    graph = nx.MultiGraph()
    source = PyosmiumOsmExtractSource()
    for chunk in source.read(path, poi_keys=POI_KEYS, is_walkable=is_walkable, chunk_size=10_000):
        graph.add_nodes_from(node.osm_id for node in chunk.nodes)
        graph.add_weighted_edges_from(
            ((edge.source, edge.target, edge.length_m) for edge in chunk.edges), weight="m"
        )
    return graph


def test_each_tile_is_the_original_network_and_islands_multiply(
    helsinki_pbf: Path, tmp_path: Path
) -> None:
    # Given Helsinki tiled 2 x 2
    data = load(helsinki_pbf)
    offset = id_offsets(data)["n"]
    tiled = tmp_path / "helsinki-2x2.osm.pbf"
    write_tiled(data, tiled, TILES)
    # When ingest's reader reads both networks
    original = walking_network(helsinki_pbf)
    copies = walking_network(tiled)
    # Then no street joins two tiles
    assert all(u // offset == v // offset for u, v in copies.edges())
    # And each tile, ids shifted back, has exactly the original's vertices and streets
    for tile in range(TILES * TILES):
        part = copies.subgraph(n for n in copies if n // offset == tile)
        back = nx.relabel_nodes(part, {n: n - tile * offset for n in part})
        assert set(back.nodes) == set(original.nodes)
        assert Counter(map(frozenset, back.edges())) == Counter(map(frozenset, original.edges()))
        # (lengths change a little with latitude: the copies are shifted north)
        assert sum(d["m"] for *_, d in back.edges(data=True)) == pytest.approx(
            sum(d["m"] for *_, d in original.edges(data=True)), rel=0.01
        )
    # And the islands are the original's, once per tile
    sizes = Counter(len(c) for c in nx.connected_components(original))
    tiled_sizes = Counter(len(c) for c in nx.connected_components(copies))
    assert tiled_sizes == Counter({size: TILES * TILES * n for size, n in sizes.items()})
