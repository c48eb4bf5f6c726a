"""The ingest use case: classify, stage, merge, and never merge a half-read file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.map_data_store import InMemoryMapDataStore
from tests.fakes.osm_extract_source import FakeOsmExtractSource
from tests.support import defaults
from wildside.app.ingest_osm_extract import IngestOsmExtract
from wildside.domain.errors import InvalidInputError
from wildside.domain.map_data import WalkEdge, WalkNode
from wildside.ports.osm_extract_source import ExtractChunk, OsmExtractError, TaggedFeature
from wildside.ports.progress import SilentProgress

MEMORIAL = TaggedFeature("node", 1, 60.17, 24.95, {"historic": "memorial", "name": "Runeberg"})
HOTEL = TaggedFeature("way", 2, 60.16, 24.94, {"tourism": "hotel", "name": "Marski"})
MUSEUM = TaggedFeature("relation", 3, 60.18, 24.93, {"tourism": "museum", "wikidata": "Q1"})
NODES = (WalkNode(10, 60.0, 25.0), WalkNode(11, 60.001, 25.0))
EDGES = (WalkEdge(5, 0, 10, 11, 111.2, "footway", ((25.0, 60.0), (25.0, 60.001))),)
BATCH = defaults.settings().ingest_batch_size  # production's, for tests not about it
CHUNKS = [
    ExtractChunk(features=[MEMORIAL, HOTEL]),
    ExtractChunk(features=[MUSEUM]),
    ExtractChunk(nodes=NODES, edges=EDGES),
]


@pytest.fixture
def extracts(tmp_path: Path) -> Path:
    """A folder with empty x/old/bad.osm.pbf files: the fake source reads only files that exist."""
    for name in ("x", "old", "bad"):
        (tmp_path / f"{name}.osm.pbf").write_bytes(b"")
    return tmp_path


class _TickingSource(FakeOsmExtractSource):
    """Moves the clock while reading, as a real read takes time."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(CHUNKS)
        self._clock = clock

    def read(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def,override]
        for chunk in super().read(*args, **kwargs):  # type: ignore[arg-type]
            self._clock.advance(1.5)
            yield chunk


def test_ingest_keeps_only_pois_and_reports_counts_and_time(extracts: Path) -> None:
    # Given an extract with a memorial, a hotel, a museum and one edge
    clock = FakeClock()
    store = InMemoryMapDataStore()
    ingest = IngestOsmExtract(
        _TickingSource(clock), store, clock, SilentProgress(), batch_size=BATCH
    )
    # When it is ingested
    report = ingest(extracts / "x.osm.pbf", batch_size=50)
    # Then the hotel is dropped, the others stored with themes and popularity
    assert sorted(store.pois) == [("node", 1), ("relation", 3)]
    assert store.pois[("node", 1)].themes == ("history",)
    assert store.pois[("relation", 3)].popularity == pytest.approx(0.35)
    assert (report.pois_inserted, report.pois_updated, report.pois_unchanged) == (2, 0, 0)
    assert report.pois_total == 2
    assert (report.network_nodes, report.network_edges) == (2, 1)
    assert report.seconds == pytest.approx(4.5)
    assert store.imports[0][0] == "x.osm.pbf"


def test_second_ingest_of_same_data_changes_nothing(extracts: Path) -> None:
    store = InMemoryMapDataStore()
    for _ in range(2):
        report = IngestOsmExtract(
            FakeOsmExtractSource(CHUNKS), store, FakeClock(), SilentProgress(), batch_size=BATCH
        )(extracts / "x.osm.pbf")
    assert (report.pois_inserted, report.pois_updated, report.pois_unchanged) == (0, 0, 2)


def test_read_failure_part_way_merges_nothing_and_keeps_old_data(extracts: Path) -> None:
    # Given a store holding an earlier import
    store = InMemoryMapDataStore()
    IngestOsmExtract(
        FakeOsmExtractSource(CHUNKS[:1]), store, FakeClock(), SilentProgress(), batch_size=BATCH
    )(extracts / "old.osm.pbf")
    before = dict(store.pois)
    # When a new file fails after its first chunk
    failing = FakeOsmExtractSource(CHUNKS, fail_after=1)
    with pytest.raises(OsmExtractError):
        IngestOsmExtract(failing, store, FakeClock(), SilentProgress(), batch_size=BATCH)(
            extracts / "bad.osm.pbf"
        )
    # Then nothing of the new file was merged
    assert store.pois == before
    assert [source for source, _ in store.imports] == ["old.osm.pbf"]


def test_batch_size_is_passed_to_the_source_and_must_be_positive(extracts: Path) -> None:
    source = FakeOsmExtractSource(CHUNKS)
    ingest = IngestOsmExtract(
        source, InMemoryMapDataStore(), FakeClock(), SilentProgress(), batch_size=BATCH
    )
    ingest(extracts / "x.osm.pbf", batch_size=123)
    assert source.chunk_sizes == [123]
    with pytest.raises(InvalidInputError):
        ingest(extracts / "x.osm.pbf", batch_size=0)
