"""``OsmExtractSource`` on pyosmium: one streaming pass, C++ filters, areas for multipolygons."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import osmium
import osmium.filter
from osmium.geom import WKBFactory

from adapters.outbound.osm.network_builder import NetworkBuilder
from adapters.outbound.osm.placement import place_way, place_wkb
from wildside.ports.osm_extract_source import (
    ExtractChunk,
    OsmExtractError,
    OsmExtractSource,
    TaggedFeature,
    WayFilter,
)

# Every PBF starts with a 4-byte header length and a BlobHeader whose type
# is "OSMHeader"; checking it turns "some other file" into a clear message
# before libosmium reports a cryptic blob-size error.
_PBF_SIGNATURE = b"OSMHeader"
_NO_LOCATION = 1000.0  # marks a node the extract does not contain (longitudes are ±180)


class PyosmiumOsmExtractSource(OsmExtractSource):
    """Reads ``.osm.pbf`` files with pyosmium."""

    def read(
        self,
        path: Path,
        *,
        poi_keys: Sequence[str],
        is_walkable: WayFilter,
        chunk_size: int,
    ) -> Iterator[ExtractChunk]:
        """Yield POI candidates while streaming, then the split walking network."""
        _check_readable(path)
        network = NetworkBuilder()
        features: list[TaggedFeature] = []
        try:
            for feature in self._scan(path, poi_keys, is_walkable, network):
                features.append(feature)
                if len(features) >= chunk_size:
                    yield ExtractChunk(features=features)
                    features = []
        except RuntimeError as exc:
            # libosmium reports format and I/O problems as RuntimeError.
            raise OsmExtractError(
                f"{path}: not a readable OSM PBF file ({exc})", path=path
            ) from exc
        if features:
            yield ExtractChunk(features=features)
        for nodes, edges in network.build(chunk_size):
            yield ExtractChunk(nodes=nodes, edges=edges)

    def _scan(
        self,
        path: Path,
        poi_keys: Sequence[str],
        is_walkable: WayFilter,
        network: NetworkBuilder,
    ) -> Iterator[TaggedFeature]:
        wkb = WKBFactory()
        # Filters run in C++, so Python only sees objects it may keep: nodes
        # and areas with a POI key, ways with a POI key or a highway tag.
        poi_objects = osmium.filter.KeyFilter(*poi_keys)
        poi_objects.enable_for(osmium.osm.NODE | osmium.osm.AREA)
        candidate_ways = osmium.filter.KeyFilter(*poi_keys, "highway")
        candidate_ways.enable_for(osmium.osm.WAY)
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter(*poi_keys))
            .with_filter(
                osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.AREA)
            )
            .with_filter(poi_objects)
            .with_filter(candidate_ways)
        )
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                yield TaggedFeature(
                    "node", obj.id, obj.location.lat, obj.location.lon, _tags(obj.tags)
                )
            elif isinstance(obj, osmium.osm.Way):
                yield from _scan_way(obj, poi_keys, is_walkable, network)
            elif isinstance(obj, osmium.osm.Area) and not obj.from_way():
                # Closed ways are placed from their own nodes in _scan_way;
                # areas are only needed for multipolygon relations.
                point = _area_point(wkb, obj)
                if point is not None:
                    yield TaggedFeature(
                        "relation", obj.orig_id(), point[1], point[0], _tags(obj.tags)
                    )


def _scan_way(
    way: osmium.osm.Way,
    poi_keys: Sequence[str],
    is_walkable: WayFilter,
    network: NetworkBuilder,
) -> Iterator[TaggedFeature]:
    wants_poi = _has_any(way.tags, poi_keys)
    highway = way.tags.get("highway")
    # TagList answers .get() like a Mapping, which is all the rule needs.
    if highway is not None and not is_walkable(way.tags):  # type: ignore[arg-type]
        highway = None
    if not (wants_poi or highway is not None):
        return
    try:
        # Fast path: every node located (a way inside the extract).
        refs = [(ref.ref, ref.lon, ref.lat) for ref in way.nodes]
    except osmium.InvalidLocationError:
        refs = [
            (ref.ref, ref.lon, ref.lat) if ref.location.valid() else (ref.ref, _NO_LOCATION, 0.0)
            for ref in way.nodes
        ]
    coords = [(lng, lat) for _, lng, lat in refs if lng != _NO_LOCATION]
    if highway is not None:
        for run in _located_runs(refs):
            network.add_run(way.id, highway, *run)
    if wants_poi:
        point = place_way(coords)
        if point is not None:
            yield TaggedFeature("way", way.id, point[1], point[0], _tags(way.tags))


def _located_runs(
    refs: list[tuple[int, float, float]],
) -> Iterator[tuple[list[int], list[float], list[float]]]:
    """Split a way where the extract lost nodes, so no edge spans the gap."""
    start = 0
    for index, (_, lng, _) in enumerate(refs):
        if lng == _NO_LOCATION:
            if index - start >= 2:
                yield _columns(refs[start:index])
            start = index + 1
    if len(refs) - start >= 2:
        yield _columns(refs[start:])


def _columns(
    refs: list[tuple[int, float, float]],
) -> tuple[list[int], list[float], list[float]]:
    ids, lngs, lats = zip(*refs, strict=True)
    return list(ids), list(lngs), list(lats)


def _area_point(wkb: WKBFactory, area: osmium.osm.Area) -> tuple[float, float] | None:
    try:
        return place_wkb(bytes.fromhex(wkb.create_multipolygon(area)))
    except RuntimeError:
        return None  # libosmium could not build a ring: nothing to place


def _has_any(tags: osmium.osm.TagList, keys: Sequence[str]) -> bool:
    # A handful of C++ key look-ups beats iterating every tag in Python.
    return any(key in tags for key in keys)


def _tags(tags: osmium.osm.TagList) -> dict[str, str]:
    return {tag.k: tag.v for tag in tags}


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise OsmExtractError(f"{path}: no such file", path=path)
    if not path.is_file():
        raise OsmExtractError(f"{path}: not a regular file", path=path)
    with path.open("rb") as handle:
        head = handle.read(64)
    if _PBF_SIGNATURE not in head:
        raise OsmExtractError(f"{path}: not an OSM PBF file (no OSMHeader block)", path=path)
