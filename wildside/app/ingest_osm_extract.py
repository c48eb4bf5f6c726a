"""Use case: ingest an OSM extract into the map data store, all or nothing per run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wildside.domain.errors import InvalidInputError
from wildside.domain.map_data import PoiRecord
from wildside.domain.poi_tags import POI_KEYS, classify_poi, popularity
from wildside.domain.walkability import is_walkable
from wildside.ports.clock import Clock
from wildside.ports.map_data_store import MapDataStore
from wildside.ports.osm_extract_source import OsmExtractSource, TaggedFeature
from wildside.ports.progress import Progress


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did, as printed at exit (and as ``--json``)."""

    pois_inserted: int
    pois_updated: int
    pois_unchanged: int
    pois_total: int
    network_nodes: int
    network_edges: int
    seconds: float


def to_poi(feature: TaggedFeature) -> PoiRecord | None:
    """Turn a tagged feature into a POI record, or ``None`` if its tags make no POI.

    Examples
    --------
    >>> f = TaggedFeature("node", 1, 60.17, 24.95, {"historic": "memorial"})
    >>> to_poi(f).themes
    ('history',)
    >>> to_poi(TaggedFeature("node", 2, 60.0, 25.0, {"tourism": "hotel"})) is None
    True
    """
    verdict = classify_poi(feature.tags)
    if verdict is None:
        return None
    tags = dict(feature.tags)
    return PoiRecord(
        element_type=feature.element_type,
        osm_id=feature.osm_id,
        name=tags.get("name") or None,
        lat=feature.lat,
        lng=feature.lng,
        tags=tags,
        themes=verdict.themes,
        popularity=popularity(tags),
    )


class IngestOsmExtract:
    """Read an extract, stage every chunk, then merge; a failed read merges nothing.

    ``batch_size`` (records per chunk and per transaction) is the configured
    one, ``WILDSIDE_INGEST_BATCH_SIZE``; a call may ask for another.
    """

    def __init__(
        self,
        source: OsmExtractSource,
        store: MapDataStore,
        clock: Clock,
        progress: Progress,
        *,
        batch_size: int,
    ) -> None:
        self._source = source
        self._store = store
        self._clock = clock
        self._progress = progress
        self._batch_size = batch_size

    def __call__(self, path: Path, *, batch_size: int | None = None) -> IngestReport:
        """Ingest ``path`` and report the counts; ``batch_size``, if given, is this run's only.

        Raises
        ------
        InvalidInputError
            If ``batch_size`` is not positive.
        OsmExtractError
            If the file cannot be read to its end; stored data is untouched.
        """
        if batch_size is None:
            batch_size = self._batch_size
        if batch_size < 1:
            raise InvalidInputError("batch size must be at least 1", field="batch_size")
        started = self._clock.monotonic()
        job = self._store.begin_import(path.name)
        try:
            self._progress.phase("reading")
            for chunk in self._source.read(
                path, poi_keys=POI_KEYS, is_walkable=is_walkable, chunk_size=batch_size
            ):
                pois = [poi for poi in map(to_poi, chunk.features) if poi is not None]
                if pois:
                    job.stage_pois(pois)
                if chunk.nodes or chunk.edges:
                    job.stage_network(chunk.nodes, chunk.edges)
                self._progress.advance(chunk.size)
            self._progress.phase("merging")
            counts = job.commit(batch_size=batch_size)
        except BaseException:
            # KeyboardInterrupt included: a half-read file must never merge.
            job.abort()
            raise
        finally:
            self._progress.close()
        return IngestReport(
            pois_inserted=counts.pois_inserted,
            pois_updated=counts.pois_updated,
            pois_unchanged=counts.pois_unchanged,
            pois_total=counts.pois_total,
            network_nodes=counts.network_nodes,
            network_edges=counts.network_edges,
            seconds=round(self._clock.monotonic() - started, 3),
        )
