"""What the command line needs from the rest of the system, filled by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from wildside.app.ingest_osm_extract import IngestReport
from wildside.app.rebuild_walk_tiles import TileRebuildReport
from wildside.domain.accounts import IssuedToken
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Tour
from wildside.ports.progress import Progress

SAMPLES: dict[str, str] = {"helsinki": "Helsinki.osm.pbf", "kotka": "test.osm.pbf"}


@dataclass(frozen=True, slots=True)
class DevOptions:
    """``wildside dev`` flags."""

    host: str = "127.0.0.1"
    port: int = 8000
    demo: bool = False
    exit_after_demo: bool = False


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

    def rebuild_tiles(self, *, batch_size: int | None, progress: Progress) -> TileRebuildReport:
        """Rebuild every walking-graph tile from the stored network."""
        ...

    def plan_tour(self, request: RouteSpec) -> Tour:
        """Compute one tour in-process from the ingested data."""
        ...

    def serve(self, host: str | None, port: int | None) -> int:
        """Run the HTTP API until a signal; return the exit status."""
        ...

    def work(self) -> int:
        """Run a worker until a signal; return the exit status."""
        ...

    def dev(
        self,
        options: DevOptions,
        say: Callable[[str], None],
        progress: Progress,
        show_route: Callable[[dict[str, Any]], None],
    ) -> int:
        """Run the whole stack on the embedded default until a signal."""
        ...

    def create_user(self, username: str, password: str | None, *, is_admin: bool) -> IssuedToken:
        """Create a user and their first token."""
        ...

    def set_password(self, username: str, password: str) -> None:
        """Set a user's password."""
        ...

    def issue_token(self, username: str, label: str) -> IssuedToken:
        """Issue another token."""
        ...

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token by id."""
        ...

    def openapi_document(self) -> dict[str, object]:
        """The API's OpenAPI document, as the configured server would serve it."""
        ...
