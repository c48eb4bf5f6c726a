"""What the command line needs from the rest of the system, filled by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from wildside.app.ingest_osm_extract import IngestReport
from wildside.domain.tour import Tour, TourRequest
from wildside.ports.progress import Progress

SAMPLES: dict[str, str] = {"helsinki": "Helsinki.osm.pbf", "kotka": "test.osm.pbf"}


@dataclass(frozen=True, slots=True)
class ServerState:
    """One private server: its name, whether it runs, and how to reach it."""

    name: str
    is_running: bool
    url: str
    variable: str


class CliRuntime(Protocol):
    """The operations behind ``wildside`` subcommands."""

    def start_servers(self) -> list[ServerState]:
        """Start the private PostgreSQL and Redis servers (idempotent)."""
        ...

    def stop_servers(self) -> list[ServerState]:
        """Stop the private servers."""
        ...

    def server_status(self) -> list[ServerState]:
        """Report the private servers."""
        ...

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the versions applied now."""
        ...

    def sample_path(self, name: str) -> Path:
        """Return the path of a bundled sample extract."""
        ...

    def ingest(self, path: Path, *, batch_size: int | None, progress: Progress) -> IngestReport:
        """Ingest an extract into the configured database."""
        ...

    def plan_tour(self, request: TourRequest) -> Tour:
        """Compute one tour in-process from the ingested data."""
        ...
