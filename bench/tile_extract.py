"""Tile an OSM extract N x N times into one larger, valid, sorted ``.osm.pbf`` file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import osmium

MARGIN_DEG = 0.002  # gap between neighbouring tiles, so no street crosses into the next one
_TYPES = ("n", "w", "r")

Tags = dict[str, str]
Member = tuple[str, int, str]


@dataclass
class Extract:
    """One extract held in memory as plain Python data (it is small: ~30 000 objects)."""

    nodes: list[tuple[int, float, float, Tags]] = field(default_factory=list)
    ways: list[tuple[int, list[int], Tags]] = field(default_factory=list)
    relations: list[tuple[int, list[Member], Tags]] = field(default_factory=list)
    max_id: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TYPES, 0))

    def see(self, kind: str, osm_id: int) -> None:
        """Track the largest id of ``kind``, defined or merely referenced."""
        self.max_id[kind] = max(self.max_id[kind], osm_id)

    def bbox(self) -> tuple[float, float, float, float]:
        """Return ``(min_lon, min_lat, max_lon, max_lat)`` of the located nodes."""
        lons = [lon for _, lon, _, _ in self.nodes]
        lats = [lat for _, _, lat, _ in self.nodes]
        return min(lons), min(lats), max(lons), max(lats)


def load(path: Path) -> Extract:
    """Read nodes, ways and relations of ``path`` into memory."""
    data = Extract()
    for obj in osmium.FileProcessor(str(path)):
        tags = {tag.k: tag.v for tag in obj.tags}
        if isinstance(obj, osmium.osm.Node):
            if obj.location.valid():
                data.nodes.append((obj.id, obj.location.lon, obj.location.lat, tags))
                data.see("n", obj.id)
        elif isinstance(obj, osmium.osm.Way):
            refs = [ref.ref for ref in obj.nodes]
            for ref in refs:
                data.see("n", ref)
            data.ways.append((obj.id, refs, tags))
            data.see("w", obj.id)
        elif isinstance(obj, osmium.osm.Relation):
            members = [(m.type, m.ref, m.role) for m in obj.members]
            for kind, ref, _ in members:
                data.see(kind, ref)
            data.relations.append((obj.id, members, tags))
            data.see("r", obj.id)
    for objects in (data.nodes, data.ways, data.relations):
        objects.sort(key=lambda item: item[0])
    return data


def id_offsets(data: Extract) -> dict[str, int]:
    """Per type, the next power of ten above every id defined or referenced in the extract."""
    return {kind: 10 ** len(str(max(data.max_id[kind], 1))) for kind in _TYPES}


def write_tiled(data: Extract, target: Path, tiles: int) -> dict[str, int]:
    """Write ``tiles`` x ``tiles`` shifted copies of ``data``; return the object counts.

    Tile ``t`` adds ``t x offset[type]`` to every id and reference, so the copies
    never share an id and each type stays sorted when written tile by tile.
    """
    offsets = id_offsets(data)
    min_lon, min_lat, max_lon, max_lat = data.bbox()
    step_lon = max_lon - min_lon + MARGIN_DEG
    step_lat = max_lat - min_lat + MARGIN_DEG
    if max_lat + step_lat * (tiles - 1) > 85.0:
        raise ValueError(f"{tiles} x {tiles} tiles would cross the pole; use fewer tiles")
    shifts = [(t, step_lon * (t % tiles), step_lat * (t // tiles)) for t in range(tiles * tiles)]
    header = osmium.io.Header()
    header.set("generator", "wildside bench/tile_extract.py")
    header.add_box(
        osmium.osm.Box(
            osmium.osm.Location(min_lon, min_lat),
            osmium.osm.Location(max_lon + step_lon * (tiles - 1), max_lat + step_lat * (tiles - 1)),
        )
    )
    partial = target.with_name("partial-" + target.name)  # keeps the .osm.pbf suffix
    writer = osmium.SimpleWriter(partial, header=header, overwrite=True)
    try:
        _write_copies(writer, data, offsets, shifts)
    finally:
        writer.close()
    os.replace(partial, target)
    copies = len(shifts)
    return {
        "nodes": copies * len(data.nodes),
        "ways": copies * len(data.ways),
        "relations": copies * len(data.relations),
    }


def _write_copies(
    writer: osmium.SimpleWriter,
    data: Extract,
    offsets: dict[str, int],
    shifts: list[tuple[int, float, float]],
) -> None:
    node, way, rel = offsets["n"], offsets["w"], offsets["r"]
    mutable = osmium.osm.mutable
    for tile, dlon, dlat in shifts:
        for osm_id, lon, lat, tags in data.nodes:
            location = (lon + dlon, lat + dlat)
            writer.add_node(mutable.Node(id=osm_id + tile * node, location=location, tags=tags))
    for tile, _, _ in shifts:
        base = tile * node
        for osm_id, refs, tags in data.ways:
            nodes = [ref + base for ref in refs]
            writer.add_way(mutable.Way(id=osm_id + tile * way, nodes=nodes, tags=tags))
    for tile, _, _ in shifts:
        for osm_id, members, tags in data.relations:
            moved = [(kind, ref + tile * offsets[kind], role) for kind, ref, role in members]
            writer.add_relation(mutable.Relation(id=osm_id + tile * rel, members=moved, tags=tags))


def tiled_extract(source: Path, cache_dir: Path, tiles: int) -> tuple[Path, dict[str, int]]:
    """Return the cached tiled file for ``source`` (built on first use) and its counts."""
    stem = source.name.removesuffix(".osm.pbf")
    target = cache_dir / f"{stem}-{tiles}x{tiles}.osm.pbf"
    counts_file = target.with_name(target.name + ".json")
    fresh = (
        target.exists()
        and counts_file.exists()
        and target.stat().st_mtime >= source.stat().st_mtime
    )
    if fresh:
        return target, json.loads(counts_file.read_text())
    cache_dir.mkdir(parents=True, exist_ok=True)
    counts = write_tiled(load(source), target, tiles)
    counts_file.write_text(json.dumps(counts) + "\n")
    return target, counts


def count_objects(path: Path) -> dict[str, int]:
    """Count nodes, ways and relations of a (small) file."""
    counts = {"nodes": 0, "ways": 0, "relations": 0}
    names = {"n": "nodes", "w": "ways", "r": "relations"}
    for obj in osmium.FileProcessor(str(path)):
        counts[names[obj.type_str()]] += 1
    return counts
