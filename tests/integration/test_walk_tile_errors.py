"""A stored tile this worker cannot read is a clear, non-retried error, never a crash or a hang."""

from __future__ import annotations

import struct
from pathlib import Path

import psycopg
import pytest

from adapters.composition import build_ingest
from adapters.outbound.postgres.walk_tile_codec import FORMAT_VERSION, WalkTileFormatError
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from adapters.settings import load_settings
from wildside.domain.geo import GeoPoint
from wildside.ports.progress import SilentProgress
from wildside.ports.walking_network_source import SearchArea, WalkingNetworkError

CENTRE = SearchArea(GeoPoint(60.1712, 24.9441), None, 3_000.0)


@pytest.fixture
def helsinki(migrated_database_url: str, helsinki_pbf: Path) -> str:
    build_ingest(load_settings({"WILDSIDE_DATABASE_URL": migrated_database_url}), SilentProgress())(
        helsinki_pbf
    )
    return migrated_database_url


def test_a_tile_of_a_newer_format_names_both_formats(helsinki: str) -> None:
    # Given a tile rewritten by a newer Wildside (format version in its header and its row)
    newer = FORMAT_VERSION + 1
    with psycopg.connect(helsinki) as conn:
        data = bytearray(conn.execute("SELECT data FROM walk_tiles LIMIT 1").fetchone()[0])  # type: ignore[index]
        struct.pack_into("<H", data, 4, newer)
        conn.execute("UPDATE walk_tiles SET data = %s, format_version = %s", (bytes(data), newer))
    # When a request needs it, Then the error says what this worker reads, and is not retried
    with pytest.raises(
        WalkTileFormatError, match=f"format {newer}, newer than this worker's"
    ) as caught:
        PostgresWalkingNetworkSource(helsinki).for_area(CENTRE)
    assert isinstance(caught.value, WalkingNetworkError)
    assert not caught.value.is_retryable


def test_a_truncated_tile_is_refused(helsinki: str) -> None:
    with psycopg.connect(helsinki) as conn:
        conn.execute("UPDATE walk_tiles SET data = substring(data FROM 1 FOR 64)")
    with pytest.raises(WalkTileFormatError, match="does not match its header"):
        PostgresWalkingNetworkSource(helsinki).for_area(CENTRE)


def test_a_row_marked_with_another_format_is_refused(helsinki: str) -> None:
    # Given a row whose format column disagrees with the reader (its blob untouched)
    with psycopg.connect(helsinki) as conn:
        conn.execute("UPDATE walk_tiles SET format_version = %s", (FORMAT_VERSION + 5,))
    with pytest.raises(WalkTileFormatError, match=f"is marked format {FORMAT_VERSION + 5}"):
        PostgresWalkingNetworkSource(helsinki).for_area(CENTRE)
