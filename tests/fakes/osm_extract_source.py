"""An ``OsmExtractSource`` that yields prepared chunks, optionally failing part-way."""

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
    """Yields ``chunks``; if ``fail_after`` is set, raises after that many chunks."""

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
        for index, chunk in enumerate(self._chunks):
            if self._fail_after is not None and index >= self._fail_after:
                raise OsmExtractError(f"{path}: truncated", path=path)
            yield chunk
        if self._fail_after is not None and self._fail_after >= len(self._chunks):
            raise OsmExtractError(f"{path}: truncated", path=path)
