"""The binary form of one walking-graph tile: a small header, then numpy arrays back to back."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from wildside.ports.walking_network_source import WalkingNetworkError

# Bump when the layout (or the grid, wildside.domain.walk_tiles.TILE_DEG) changes;
# `wildside rebuild-tiles` then rewrites every stored tile in the new format.
# 2: per-tile piece labels, and the arcs that leave the tile (their tail's piece
# and head's id).
FORMAT_VERSION = 2
_MAGIC = b"WSWT"
# magic, format version, reserved, vertices, arcs, shape points, border arcs,
# pieces (little endian; 48 bytes, so every array starts 8-byte aligned).
_HEADER = struct.Struct("<4sHHqqqqq")
HEADER_SIZE = _HEADER.size
# The magic and the format version come first in every format.
_VERSION_END = 6
# What an operator does about tiles of another format.
REBUILD_HINT = "run `wildside rebuild-tiles` with this Wildside version"


class WalkTileFormatError(WalkingNetworkError):
    """A stored tile this worker cannot read: damaged, or written by another format."""

    code = "walk-tile-format"


@dataclass(frozen=True, slots=True)
class WalkTile:
    """One tile's vertices and the arcs leaving them, in the order the whole graph keeps.

    ``node_ids`` ascend; ``indptr`` (one more than the vertices) slices the
    arcs of each vertex; ``targets`` are node ids (the head may lie in
    another tile); ``shape_offsets`` (one more than the arcs) slice
    ``shape_lngs``/``shape_lats``, each arc's geometry from tail to head.
    ``components`` labels each vertex's piece within the tile (0 to
    ``pieces - 1``, over the arcs between the tile's own vertices); each arc
    whose head lies in another tile appears once more as its tail's piece
    (``border_pieces``) and its head's id (``border_heads``): stitching
    joins pieces across borders along these alone.
    """

    node_ids: np.ndarray
    lats: np.ndarray
    lngs: np.ndarray
    indptr: np.ndarray
    targets: np.ndarray
    lengths: np.ndarray
    shape_offsets: np.ndarray
    shape_lngs: np.ndarray
    shape_lats: np.ndarray
    components: np.ndarray
    border_pieces: np.ndarray
    border_heads: np.ndarray
    pieces: int

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(int(getattr(self, name).nbytes) for name in _FIELDS)


_FIELDS = (
    "node_ids",
    "lats",
    "lngs",
    "indptr",
    "targets",
    "lengths",
    "shape_offsets",
    "shape_lngs",
    "shape_lats",
    "components",
    "border_pieces",
    "border_heads",
)
_INTS = frozenset(set(_FIELDS) - {"lats", "lngs", "lengths", "shape_lngs", "shape_lats"})


def encode_tile(tile: WalkTile) -> bytes:
    """Pack a tile: header, then every array as little-endian int64 or float64.

    Examples
    --------
    >>> tile = empty_tile()
    >>> decode_tile(encode_tile(tile)).node_ids.size
    0
    """
    parts = [
        _HEADER.pack(
            _MAGIC,
            FORMAT_VERSION,
            0,
            tile.node_ids.size,
            tile.targets.size,
            tile.shape_lngs.size,
            tile.border_heads.size,
            tile.pieces,
        )
    ]
    for name in _FIELDS:
        dtype = "<i8" if name in _INTS else "<f8"
        parts.append(np.ascontiguousarray(getattr(tile, name), dtype=dtype).tobytes())
    return b"".join(parts)


def decode_tile(blob: bytes) -> WalkTile:
    """Unpack a tile, or raise ``WalkTileFormatError`` saying what is wrong with it.

    The arrays are read-only views of ``blob`` (no copy).
    """
    if len(blob) < _VERSION_END:
        raise WalkTileFormatError(f"walk tile of {len(blob)} bytes is shorter than its header")
    if blob[:4] != _MAGIC:
        raise WalkTileFormatError("walk tile does not start with the tile magic bytes")
    version = struct.unpack_from("<H", blob, 4)[0]
    if version != FORMAT_VERSION:
        newer = "newer" if version > FORMAT_VERSION else "older"
        raise WalkTileFormatError(
            f"walk tile has format {version}, {newer} than this worker's {FORMAT_VERSION};"
            f" {REBUILD_HINT} (or run the Wildside version that built the tiles)"
        )
    if len(blob) < _HEADER.size:
        raise WalkTileFormatError(f"walk tile of {len(blob)} bytes is shorter than its header")
    _, _, _, nodes, arcs, points, borders, pieces = _HEADER.unpack_from(blob)
    sizes = {
        "node_ids": nodes,
        "lats": nodes,
        "lngs": nodes,
        "indptr": nodes + 1,
        "targets": arcs,
        "lengths": arcs,
        "shape_offsets": arcs + 1,
        "shape_lngs": points,
        "shape_lats": points,
        "components": nodes,
        "border_pieces": borders,
        "border_heads": borders,
    }
    if (
        min(nodes, arcs, points, borders, pieces) < 0
        or pieces > nodes
        or len(blob) != _HEADER.size + 8 * sum(sizes.values())
    ):
        raise WalkTileFormatError(
            f"walk tile of {len(blob)} bytes does not match its header ({nodes} vertices,"
            f" {arcs} arcs, {points} shape points, {borders} border arcs, {pieces} pieces)"
        )
    arrays: dict[str, np.ndarray] = {}
    offset = _HEADER.size
    for name in _FIELDS:
        dtype = "<i8" if name in _INTS else "<f8"
        arrays[name] = np.frombuffer(blob, dtype=dtype, count=sizes[name], offset=offset)
        offset += 8 * sizes[name]
    tile = WalkTile(**arrays, pieces=pieces)
    _check_offsets(tile.indptr, arcs, "arc")
    _check_offsets(tile.shape_offsets, points, "shape")
    _check_range(tile.components, pieces, "piece labels")
    _check_range(tile.border_pieces, pieces, "border arcs' pieces")
    return tile


def _check_offsets(offsets: np.ndarray, total: int, what: str) -> None:
    if offsets[0] != 0 or offsets[-1] != total or (np.diff(offsets) < 0).any():
        raise WalkTileFormatError(f"walk tile's {what} offsets are out of order")


def _check_range(values: np.ndarray, stop: int, what: str) -> None:
    if values.size and (values.min() < 0 or values.max() >= stop):
        raise WalkTileFormatError(f"walk tile's {what} are out of range")


def empty_tile() -> WalkTile:
    """A tile with no vertices."""
    ints, floats = np.zeros(0, np.int64), np.zeros(0)
    one = np.zeros(1, np.int64)
    return WalkTile(
        ints, floats, floats, one, ints, floats, one, floats, floats, ints, ints, ints, 0
    )
