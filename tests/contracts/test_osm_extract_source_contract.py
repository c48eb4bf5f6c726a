"""One behaviour suite for every ``OsmExtractSource``: bounded chunks, one error type."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.outbound.osm.pyosmium_source import PyosmiumOsmExtractSource
from tests.fakes.osm_extract_source import FakeOsmExtractSource
from wildside.domain.map_data import WalkNode
from wildside.domain.poi_tags import POI_KEYS
from wildside.domain.walkability import is_walkable
from wildside.ports.osm_extract_source import ExtractChunk, OsmExtractError, OsmExtractSource


def _fake_input(tmp_path: Path) -> tuple[OsmExtractSource, OsmExtractSource, Path]:
    chunks = [ExtractChunk(nodes=[WalkNode(i, 60.0, 25.0) for i in range(n)]) for n in (5, 3)]
    bad_path = tmp_path / "f"
    bad_path.write_bytes(b"")  # it exists: the fake fails part-way, as on a truncated file
    return FakeOsmExtractSource(chunks), FakeOsmExtractSource(chunks, fail_after=1), bad_path


def _real_input(tmp_path: Path, kotka: Path) -> tuple[OsmExtractSource, OsmExtractSource, Path]:
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(kotka.read_bytes()[:60_000])
    return PyosmiumOsmExtractSource(), PyosmiumOsmExtractSource(), truncated


@pytest.fixture(params=["fake", "pyosmium"])
def sources(
    request: pytest.FixtureRequest, tmp_path: Path, kotka_pbf: Path
) -> tuple[OsmExtractSource, OsmExtractSource, Path, Path]:
    if request.param == "fake":
        good, bad, bad_path = _fake_input(tmp_path)
        good_path = tmp_path / "good"
        good_path.write_bytes(b"")
        return good, bad, good_path, bad_path
    good, bad, bad_path = _real_input(tmp_path, kotka_pbf)
    return good, bad, kotka_pbf, bad_path


def _read(source: OsmExtractSource, path: Path, chunk_size: int) -> list[ExtractChunk]:
    return list(
        source.read(path, poi_keys=POI_KEYS, is_walkable=is_walkable, chunk_size=chunk_size)
    )


def test_chunks_never_exceed_the_requested_size_and_lose_nothing(
    sources: tuple[OsmExtractSource, OsmExtractSource, Path, Path],
) -> None:
    good, _, path, _ = sources
    # Given the whole input read in one chunk per kind of record at most
    whole = _read(good, path, chunk_size=1_000_000)
    total = sum(chunk.size for chunk in whole)
    assert total > 4  # enough records that small chunks must cut them
    # When it is read again in chunks of at most 2 and of at most 3 records
    for size in (2, 3):
        chunks = _read(good, path, chunk_size=size)
        # Then no chunk is empty or larger, and together they hold every record once
        assert all(0 < chunk.size <= size for chunk in chunks), [c.size for c in chunks]
        assert sum(chunk.size for chunk in chunks) == total
        assert len(chunks) >= -(-total // size)


def test_a_missing_file_raises_osm_extract_error_naming_it(
    sources: tuple[OsmExtractSource, OsmExtractSource, Path, Path], tmp_path: Path
) -> None:
    good, _, _, _ = sources
    missing = tmp_path / "absent.osm.pbf"
    with pytest.raises(OsmExtractError) as caught:
        _read(good, missing, chunk_size=5)
    assert caught.value.path == missing


def test_a_broken_input_raises_only_osm_extract_error(
    sources: tuple[OsmExtractSource, OsmExtractSource, Path, Path],
) -> None:
    _, bad, _, bad_path = sources
    with pytest.raises(OsmExtractError) as caught:
        _read(bad, bad_path, chunk_size=5)
    assert caught.value.path == bad_path
