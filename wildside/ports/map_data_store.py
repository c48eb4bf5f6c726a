"""Map data store port: stages ingested POIs and network, then merges them atomically per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.map_data import PoiRecord, WalkEdge, WalkNode


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


class MapDataStore(Protocol):
    """Where POIs and the walking network live."""

    def begin_import(self, source: str) -> MapImport:
        """Open an import of data read from ``source`` (a file name, a URL)."""
        ...
