"""The CLI runtime: what each ``wildside`` subcommand does, over real adapters."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.composition.engine import (
    build_ingest,
    build_plan_tour,
    build_rebuild_tiles,
    local_servers,
)
from adapters.inbound.cli.runtime import SAMPLES, CliRuntime, DevOptions, ServerState
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.settings import Settings, load_settings
from wildside.app.accounts import Accounts
from wildside.app.ingest_osm_extract import IngestReport
from wildside.app.rebuild_walk_tiles import TileRebuildReport
from wildside.domain.accounts import IssuedToken
from wildside.domain.errors import ConfigurationError, InvalidInputError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Tour
from wildside.ports.progress import Progress


@dataclass(frozen=True, slots=True)
class Runtime(CliRuntime):
    """``CliRuntime`` over real adapters."""

    settings: Settings

    def start_servers(self) -> list[ServerState]:
        """Start PostgreSQL, then Redis (queue, then cache)."""
        for server in local_servers(self.settings):
            server.start()
        return self.server_status()

    def stop_servers(self) -> list[ServerState]:
        """Stop Redis, then PostgreSQL (reverse of start)."""
        for server in reversed(local_servers(self.settings)):
            server.stop()
        return self.server_status()

    def server_status(self) -> list[ServerState]:
        """Report every server.

        The queue's URL is exported as ``WILDSIDE_REDIS_URL``, the fallback of
        both roles, so scripts written before the cache had a role of its own
        keep working; the cache's as ``WILDSIDE_REDIS_CACHE_URL``.
        """
        postgres, queue, cache = local_servers(self.settings)
        return [
            ServerState("postgresql", postgres.is_running(), postgres.url, "WILDSIDE_DATABASE_URL"),
            ServerState("redis", queue.is_running(), queue.url, "WILDSIDE_REDIS_URL"),
            ServerState("redis-cache", cache.is_running(), cache.url, "WILDSIDE_REDIS_CACHE_URL"),
        ]

    def migrate(self) -> list[str]:
        """Apply pending migrations."""
        runner = PostgresMigrationRunner(
            self.settings.require_database_url(), self.settings.migrations_dir
        )
        return runner.apply()

    def sample_path(self, name: str) -> Path:
        """Locate a bundled sample installed by ``scripts/setup.sh``."""
        if name not in SAMPLES:
            raise InvalidInputError(f"unknown sample {name!r}", field="sample")
        path = self.settings.data_dir / "osm" / SAMPLES[name]
        if not path.exists():
            raise ConfigurationError(
                f"sample {name!r} is not installed at {path}; run scripts/setup.sh",
                variable="WILDSIDE_DATA_DIR",
            )
        return path

    def ingest(self, path: Path, *, batch_size: int | None, progress: Progress) -> IngestReport:
        """Run the ingest use case."""
        use_case = build_ingest(self.settings, progress)
        return use_case(path, batch_size=batch_size)

    def rebuild_tiles(self, *, batch_size: int | None, progress: Progress) -> TileRebuildReport:
        """Run the tile-rebuild use case."""
        return build_rebuild_tiles(self.settings, progress)(batch_size=batch_size)

    def plan_tour(self, request: RouteSpec) -> Tour:
        """Plan one tour (its area's walking-graph tiles are read on demand)."""
        return build_plan_tour(self.settings)(request)

    def serve(self, host: str | None, port: int | None) -> int:
        """Run uvicorn with the API."""
        from adapters.composition.processes import serve

        return serve(
            self.settings, host or self.settings.http_host, port or self.settings.http_port
        )

    def work(self) -> int:
        """Run a Dramatiq worker."""
        from adapters.composition.processes import work

        return work(self.settings)

    def dev(
        self,
        options: DevOptions,
        say: Callable[[str], None],
        progress: Progress,
        show_route: Callable[[dict[str, Any]], None],
    ) -> int:
        """Run the whole stack."""
        from adapters.composition.dev import DevHooks, run_dev

        return run_dev(self.settings, options, DevHooks(say, progress, show_route))

    def create_user(self, username: str, password: str | None, *, is_admin: bool) -> IssuedToken:
        """Create a user and their first token."""
        with self._accounts() as users:
            return users.create_user(username, password, is_admin=is_admin)

    def set_password(self, username: str, password: str) -> None:
        """Set a user's password."""
        with self._accounts() as users:
            users.set_password(username, password)

    def issue_token(self, username: str, label: str) -> IssuedToken:
        """Issue another token."""
        with self._accounts() as users:
            return users.issue_token(username, label)

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token."""
        with self._accounts() as users:
            users.revoke_token(token_id)

    def openapi_document(self) -> dict[str, object]:
        """The OpenAPI document from these settings; no key file is read (no session is made)."""
        from adapters.composition.policies import http_settings
        from adapters.inbound.http.app import SESSION_KEY_BYTES, openapi_document

        placeholder_key = bytes(SESSION_KEY_BYTES)
        return openapi_document(http_settings(self.settings, session_key=placeholder_key))

    @contextlib.contextmanager
    def _accounts(self) -> Iterator[Accounts]:
        from adapters.outbound.postgres.account_store import PostgresAccountStore
        from adapters.outbound.postgres.connection import per_call
        from adapters.outbound.system_clock import SystemClock
        from adapters.outbound.system_randomness import OsSecretSource

        store = PostgresAccountStore(per_call(self.settings.require_database_url()))
        yield Accounts(store, OsSecretSource(), SystemClock())


def open_runtime() -> Runtime:
    """Read settings and build the CLI runtime."""
    return Runtime(load_settings())
