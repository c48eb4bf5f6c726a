"""Use case: rebuild every walking-graph tile from the stored network (after an upgrade)."""

from __future__ import annotations

from dataclasses import dataclass

from wildside.domain.errors import InvalidInputError
from wildside.ports.clock import Clock
from wildside.ports.map_data_store import MapDataStore
from wildside.ports.progress import Progress


@dataclass(frozen=True, slots=True)
class TileRebuildReport:
    """What one rebuild did, as printed at exit (and as ``--json``)."""

    tiles_written: int
    tiles_removed: int
    version: int
    seconds: float


class RebuildWalkTiles:
    """Rewrite every tile, ``batch_size`` tiles per transaction, then drop empty cells' tiles.

    Memory stays bounded by one tile whatever the database holds, and no
    transaction spans the whole country. ``batch_size`` is the composition
    root's default; a call may ask for another.
    """

    def __init__(
        self, store: MapDataStore, clock: Clock, progress: Progress, *, batch_size: int
    ) -> None:
        self._store = store
        self._clock = clock
        self._progress = progress
        self._batch_size = batch_size

    def __call__(self, *, batch_size: int | None = None) -> TileRebuildReport:
        """Rebuild and report.

        Raises
        ------
        InvalidInputError
            If ``batch_size`` is not positive.
        MapDataStoreError
            If the store fails; batches committed before stay rebuilt.
        """
        size = self._batch_size if batch_size is None else batch_size
        if size < 1:
            raise InvalidInputError("batch size must be at least 1", field="batch_size")
        started = self._clock.monotonic()
        job = self._store.begin_tile_rebuild()
        try:
            self._progress.phase("listing tiles")
            tiles = job.tiles()
            self._progress.phase("rebuilding tiles", total=len(tiles))
            written = 0
            for first in range(0, len(tiles), size):
                batch = tiles[first : first + size]
                written += job.rebuild(batch)
                self._progress.advance(len(batch))
            self._progress.phase("dropping tiles of empty cells")
            removed = job.finish()
        finally:
            job.close()
            self._progress.close()
        return TileRebuildReport(
            tiles_written=written,
            tiles_removed=removed,
            version=job.version,
            seconds=round(self._clock.monotonic() - started, 3),
        )
