"""The tile codec round-trips; a damaged or foreign blob is a clear error, never a crash."""

from __future__ import annotations

import contextlib
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound.postgres.walk_tile_codec import (
    FORMAT_VERSION,
    HEADER_SIZE,
    WalkTile,
    WalkTileFormatError,
    decode_tile,
    encode_tile,
)
from adapters.outbound.postgres.walk_tile_graph import pack_tile, stitch_tiles
from adapters.outbound.postgres.walking_network_source import build_graph
from tests.support.pieces import assert_same_partition, scipy_pieces
from wildside.domain.walking_graph import WalkingGraph


def _city(seed: int, side: int = 6, missing: float = 0.1) -> dict[str, np.ndarray]:
    """A jittered grid with a few streets missing, as edge columns (way, seq order)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.divmod(np.arange(side * side), side)
    lats = 60.0 + rows * 0.001 + rng.uniform(-2e-4, 2e-4, side * side)
    lngs = 25.0 + cols * 0.002 + rng.uniform(-2e-4, 2e-4, side * side)
    right, down = np.flatnonzero(cols < side - 1), np.flatnonzero(rows < side - 1)
    sources = np.concatenate((right, down))
    targets = np.concatenate((right + 1, down + side))
    keep = rng.random(sources.size) > missing
    sources, targets = sources[keep], targets[keep]
    swap = rng.random(sources.size) < 0.5  # edges stored in both directions
    sources, targets = np.where(swap, targets, sources), np.where(swap, sources, targets)
    mids = np.column_stack(
        ((lngs[sources] + lngs[targets]) / 2, (lats[sources] + lats[targets]) / 2)
    )
    coords = np.stack(
        (
            np.column_stack((lngs[sources], lats[sources])),
            mids,
            np.column_stack((lngs[targets], lats[targets])),
        ),
        axis=1,
    ).reshape(-1, 2)
    return {
        "node_ids": np.arange(side * side, dtype=np.int64) * 7 + 3,
        "lats": lats,
        "lngs": lngs,
        "sources": sources * 7 + 3,
        "targets": targets * 7 + 3,
        "lengths": rng.uniform(50, 150, sources.size),
        "coords": coords,
        "counts": np.full(sources.size, 3),
    }


# No deadline: the first example may load the numba kernels from their cache.
@settings(deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.integers(1, 5))
def test_tiles_of_any_partition_stitch_to_the_whole_graph(seed: int, cuts: int) -> None:
    # Given a small city and its vertices split into random tiles
    city = _city(seed)
    whole = build_graph(**city)
    label = np.random.default_rng(seed).integers(0, cuts, city["node_ids"].size)
    tiles = []
    for part in range(cuts):
        mine = label == part
        ids = city["node_ids"][mine]
        touching = np.isin(city["sources"], ids) | np.isin(city["targets"], ids)
        starts = np.repeat(touching, city["counts"])
        tile = pack_tile(
            node_ids=ids,
            lats=city["lats"][mine],
            lngs=city["lngs"][mine],
            sources=city["sources"][touching],
            targets=city["targets"][touching],
            lengths=city["lengths"][touching],
            coords=city["coords"][starts],
            counts=city["counts"][touching],
        )
        # When each tile goes through the codec
        tiles.append(decode_tile(encode_tile(tile)))
    # Then stitching every tile gives the whole graph, arrays equal byte for byte
    stitched = stitch_tiles(tiles[::-1])
    for name in WalkingGraph.__slots__:
        if name != "components":
            assert getattr(stitched, name) == getattr(whole, name), name
    # And its merged piece labels are scipy's components of the stitched graph
    assert_same_partition(stitched.components, scipy_pieces(stitched))
    # And a subset keeps only arcs between the vertices it holds, its pieces its own
    some = stitch_tiles(tiles[:1])
    held = set(some.node_ids)
    assert held == set(city["node_ids"][label == 0].tolist())
    assert all(some.node_ids[t] in held for t in some.targets)
    assert_same_partition(some.components, scipy_pieces(some))


@settings(deadline=None)
@given(seed=st.integers(0, 10_000), side=st.integers(2, 9), cuts=st.integers(1, 6))
def test_pieces_merged_across_tile_borders_are_the_stitched_graphs_components(
    seed: int, side: int, cuts: int
) -> None:
    # Given a city with many streets missing (so islands), cut into random tiles
    city = _city(seed, side, missing=0.45)
    rng = np.random.default_rng(seed + 1)
    label = rng.integers(0, cuts, city["node_ids"].size)
    tiles = [_tile(city, label == part) for part in range(cuts)]
    tiles = [decode_tile(encode_tile(t)) for t in tiles if t.node_ids.size]
    # When any subset of the tiles is stitched (an area loads some tiles, not all)
    chosen = [t for t in tiles if rng.random() < 0.7] or tiles[:1]
    stitched = stitch_tiles(chosen)
    # Then its piece labels split the vertices as scipy's components do
    assert_same_partition(stitched.components, scipy_pieces(stitched))


def _tile(city: dict[str, np.ndarray], mine: np.ndarray) -> WalkTile:
    ids = city["node_ids"][mine]
    touching = np.isin(city["sources"], ids) | np.isin(city["targets"], ids)
    return pack_tile(
        node_ids=ids,
        lats=city["lats"][mine],
        lngs=city["lngs"][mine],
        sources=city["sources"][touching],
        targets=city["targets"][touching],
        lengths=city["lengths"][touching],
        coords=city["coords"][np.repeat(touching, city["counts"])],
        counts=city["counts"][touching],
    )


def _blob() -> bytes:
    city = _city(1)
    return encode_tile(pack_tile(**city))


def test_a_newer_format_is_named_in_the_error() -> None:
    blob = bytearray(_blob())
    struct.pack_into("<H", blob, 4, FORMAT_VERSION + 1)
    with pytest.raises(WalkTileFormatError, match=f"format {FORMAT_VERSION + 1}, newer"):
        decode_tile(bytes(blob))


def test_an_older_format_tells_the_operator_to_rebuild_the_tiles() -> None:
    # Given an empty format-1 tile (a 32-byte header, then indptr and shape offsets)
    old = struct.pack("<4sHHqqq", b"WSWT", 1, 0, 0, 0, 0) + struct.pack("<qq", 0, 0)
    # When this worker decodes it, Then the error says what to run
    with pytest.raises(WalkTileFormatError, match="older than this worker's") as caught:
        decode_tile(old)
    assert "wildside rebuild-tiles" in caught.value.message


def test_piece_labels_out_of_range_are_refused() -> None:
    # Given a tile whose first vertex claims a piece past the header's count
    blob = bytearray(_blob())
    nodes, arcs, points = struct.unpack_from("<qqq", blob, 8)
    labels_at = HEADER_SIZE + 8 * (3 * nodes + nodes + 1 + 2 * arcs + arcs + 1 + 2 * points)
    struct.pack_into("<q", blob, labels_at, nodes + 1)
    # Then decoding says so
    with pytest.raises(WalkTileFormatError, match="piece labels"):
        decode_tile(bytes(blob))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:10], "shorter than its header"),
        (lambda b: b"XXXX" + b[4:], "magic"),
        (lambda b: b[:-8], "does not match its header"),
        (lambda b: b + b"\0" * 8, "does not match its header"),
    ],
)
def test_damaged_blobs_are_clear_errors(damage: object, message: str) -> None:
    with pytest.raises(WalkTileFormatError, match=message) as caught:
        decode_tile(damage(_blob()))  # type: ignore[operator]
    assert caught.value.code == "walk-tile-format"
    assert not caught.value.is_retryable


@given(data=st.binary(max_size=400), prefix=st.booleans())
def test_random_bytes_never_crash(data: bytes, prefix: bool) -> None:
    blob = (_blob()[:HEADER_SIZE] + data) if prefix else data
    with contextlib.suppress(WalkTileFormatError):
        decode_tile(blob)


def test_out_of_order_offsets_are_refused() -> None:
    blob = bytearray(_blob())
    nodes = struct.unpack_from("<q", blob, 8)[0]
    indptr_at = HEADER_SIZE + 8 * 3 * nodes
    struct.pack_into("<q", blob, indptr_at + 8, 10**9)
    with pytest.raises(WalkTileFormatError, match="offsets"):
        decode_tile(bytes(blob))
