"""The tile-rebuild use case: every tile rewritten in batches, empty cells' tiles dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.map_data_store import InMemoryMapDataStore
from wildside.app.rebuild_walk_tiles import RebuildWalkTiles
from wildside.domain.errors import InvalidInputError
from wildside.domain.map_data import WalkNode
from wildside.domain.walk_tiles import TileKey, tile_of
from wildside.ports.map_data_store import MapDataStoreError


@dataclass
class RecordingProgress:
    events: list[tuple[str, object]] = field(default_factory=list)

    def phase(self, name: str, total: int | None = None) -> None:
        self.events.append(("phase", (name, total)))

    def advance(self, units: int) -> None:
        self.events.append(("advance", units))

    def close(self) -> None:
        self.events.append(("close", None))


def _store_with_tiles(count: int) -> InMemoryMapDataStore:
    """Nodes in ``count`` tiles along a parallel, their tiles built by an import (version 1)."""
    store = InMemoryMapDataStore()
    for i in range(count):
        node = WalkNode(i + 1, 60.01, 24.01 + 0.05 * i)
        store.nodes[node.osm_id] = node
        store.tiles[tile_of(node.lat, node.lng)] = 1
    store.last_version = 1
    return store


def test_every_tile_is_rebuilt_in_batches_with_a_new_version() -> None:
    # Given seven tiles built by an import, and one left by an older grid
    store = _store_with_tiles(7)
    store.tiles[TileKey(1, 1)] = 1
    progress = RecordingProgress()
    clock = FakeClock()
    rebuild = RebuildWalkTiles(store, clock, progress, batch_size=3)
    # When the tiles are rebuilt
    report = rebuild()
    # Then every cell's tile has the rebuild's version, and the stale tile is gone
    assert report.version == 2
    assert set(store.tiles) == store.cells()
    assert set(store.tiles.values()) == {2}
    assert (report.tiles_written, report.tiles_removed) == (7, 1)
    # And progress went 3, 3, 1 through the rebuilding phase, then closed
    assert progress.events == [
        ("phase", ("listing tiles", None)),
        ("phase", ("rebuilding tiles", 7)),
        ("advance", 3),
        ("advance", 3),
        ("advance", 1),
        ("phase", ("dropping tiles of empty cells", None)),
        ("close", None),
    ]
    assert store.open_rebuilds == 0


def test_a_call_may_ask_for_another_batch_size() -> None:
    store = _store_with_tiles(5)
    progress = RecordingProgress()
    RebuildWalkTiles(store, FakeClock(), progress, batch_size=3)(batch_size=5)
    assert [units for kind, units in progress.events if kind == "advance"] == [5]


def test_a_failure_half_way_keeps_the_batches_before_it_and_closes_everything() -> None:
    # Given a store that fails on the third batch
    store = _store_with_tiles(7)
    store.fail_rebuild_at = 2
    progress = RecordingProgress()
    # When the tiles are rebuilt two at a time
    with pytest.raises(MapDataStoreError, match="disk full"):
        RebuildWalkTiles(store, FakeClock(), progress, batch_size=2)()
    # Then the first four tiles carry the new version, the others the old one
    assert sorted(store.tiles.values()) == [1, 1, 1, 2, 2, 2, 2]
    # And the rebuild and the progress were closed
    assert store.open_rebuilds == 0
    assert progress.events[-1] == ("close", None)


def test_a_batch_size_below_one_is_refused_before_anything_is_done() -> None:
    store = _store_with_tiles(2)
    with pytest.raises(InvalidInputError):
        RebuildWalkTiles(store, FakeClock(), RecordingProgress(), batch_size=3)(batch_size=0)
    assert store.last_version == 1


def test_the_report_says_how_long_it_took() -> None:
    clock = FakeClock()
    store = _store_with_tiles(3)
    original = store.begin_tile_rebuild

    def slow_begin():  # type: ignore[no-untyped-def]
        clock.advance(2.5)
        return original()

    store.begin_tile_rebuild = slow_begin  # type: ignore[method-assign]
    assert RebuildWalkTiles(store, clock, RecordingProgress(), batch_size=3)().seconds == 2.5
