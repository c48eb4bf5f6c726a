"""Map data store port: stages ingested POIs and network, merges them per batch, rebuilds tiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.map_data import PoiRecord, WalkEdge, WalkNode
from wildside.domain.walk_tiles import TileKey


@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What a merge did to the stored POIs, plus the network sizes it staged."""

    pois_inserted: int
    pois_updated: int
    pois_unchanged: int
    network_nodes: int
    network_edges: int

    @property
    def pois_total(self) -> int:
        """All POIs the import carried, whatever happened to them."""
        return self.pois_inserted + self.pois_updated + self.pois_unchanged


class MapDataStoreError(WildsideError):
    """The store refused or failed an import step."""

    code = "map-data-store-error"


class MapImport(Protocol):
    """One import in progress. Nothing is visible to readers before ``commit``."""

    def stage_pois(self, pois: Sequence[PoiRecord]) -> None:
        """Stage POIs for the merge."""
        ...

    def stage_network(self, nodes: Sequence[WalkNode], edges: Sequence[WalkEdge]) -> None:
        """Stage walking network nodes and edges."""
        ...

    def commit(self, *, batch_size: int) -> MergeCounts:
        """Merge everything staged, ``batch_size`` records per transaction."""
        ...

    def abort(self) -> None:
        """Drop everything staged; stored data stays exactly as it was."""
        ...


class TileRebuild(Protocol):
    """Rewriting the walking-graph tiles from the stored network, a batch per transaction.

    Every tile written gets this rebuild's ``version``, new to every worker,
    so running workers read the rebuilt tiles on their next request. A
    rebuild stopped half way leaves each tile either rebuilt or as it was;
    running it again completes it.
    """

    @property
    def version(self) -> int:
        """The data version the rebuilt tiles carry (never one a tile had before)."""
        ...

    def tiles(self) -> list[TileKey]:
        """Every tile that holds a stored walking vertex, ascending."""
        ...

    def rebuild(self, tiles: Sequence[TileKey]) -> int:
        """Write ``tiles`` from the stored network in one transaction; return how many.

        A tile whose cell no longer holds a vertex is deleted, not written.
        """
        ...

    def finish(self) -> int:
        """Delete stored tiles whose cell holds no vertex (an older grid's); return how many."""
        ...

    def close(self) -> None:
        """Release the rebuild's resources; what was written stays."""
        ...


class MapDataStore(Protocol):
    """Where POIs and the walking network live."""

    def begin_import(self, source: str) -> MapImport:
        """Open an import of data read from ``source`` (a file name, a URL)."""
        ...

    def begin_tile_rebuild(self) -> TileRebuild:
        """Start rebuilding every walking-graph tile (after a tile format or grid change)."""
        ...
