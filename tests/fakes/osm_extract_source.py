"""An ``OsmExtractSource`` that yields prepared records, optionally failing part-way.

Like the real adapter it refuses a path that is not an existing file, and it
honours ``chunk_size``: each prepared chunk is cut into pieces of at most
``chunk_size`` records (features, then nodes, then edges), so a contract test
that asks for small chunks sees small chunks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from wildside.ports.osm_extract_source import (
    ExtractChunk,
    OsmExtractError,
    OsmExtractSource,
    WayFilter,
)


class FakeOsmExtractSource(OsmExtractSource):
    """Yields the records of ``chunks``; if ``fail_after`` is set, raises after that many chunks.

    ``fail_after`` counts prepared chunks, whatever pieces ``chunk_size`` cut them into.
    """

    def __init__(self, chunks: Sequence[ExtractChunk], *, fail_after: int | None = None) -> None:
        self._chunks = list(chunks)
        self._fail_after = fail_after
        self.chunk_sizes: list[int] = []

    def read(
        self,
        path: Path,
        *,
        poi_keys: Sequence[str],
        is_walkable: WayFilter,
        chunk_size: int,
    ) -> Iterator[ExtractChunk]:
        self.chunk_sizes.append(chunk_size)
        if not path.is_file():
            raise OsmExtractError(f"{path}: no such file", path=path)
        for index, chunk in enumerate(self._chunks):
            if self._fail_after is not None and index >= self._fail_after:
                raise OsmExtractError(f"{path}: truncated", path=path)
            yield from _pieces(chunk, chunk_size)
        if self._fail_after is not None and self._fail_after >= len(self._chunks):
            raise OsmExtractError(f"{path}: truncated", path=path)


def _pieces(chunk: ExtractChunk, size: int) -> Iterator[ExtractChunk]:
    """``chunk`` cut into chunks of at most ``size`` records, in order."""
    if size < 1:
        raise ValueError(f"chunk_size must be positive, got {size}")
    features, nodes, edges = list(chunk.features), list(chunk.nodes), list(chunk.edges)
    while features or nodes or edges:
        room = size
        some_features, features = features[:room], features[room:]
        room -= len(some_features)
        some_nodes, nodes = nodes[:room], nodes[room:]
        room -= len(some_nodes)
        some_edges, edges = edges[:room], edges[room:]
        yield ExtractChunk(features=some_features, nodes=some_nodes, edges=some_edges)
