"""The composition root: settings in, wired services out. Nothing else wires adapters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.inbound.cli.runtime import SAMPLES, CliRuntime, ServerState
from adapters.outbound.local_servers.postgres_cluster import PostgresCluster
from adapters.outbound.local_servers.redis_server import RedisServer
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.map_data_store import PostgresMapDataStore
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.system_clock import SystemClock
from adapters.settings import Settings, load_settings
from wildside.app.ingest_osm_extract import IngestOsmExtract, IngestReport
from wildside.domain.errors import ConfigurationError, InvalidInputError
from wildside.domain.tour import Tour, TourRequest
from wildside.ports.clock import Clock
from wildside.ports.map_data_store import MapDataStore
from wildside.ports.osm_extract_source import OsmExtractSource
from wildside.ports.poi_repository import PoiRepository
from wildside.ports.progress import Progress

if TYPE_CHECKING:
    from wildside.app.plan_tour import PlanTour
    from wildside.domain.solver.street_network import StreetNetwork

# The engine (numba, numpy) and pyosmium are imported where they are used, so
# `wildside migrate` or `wildside services` start without compiling or loading them.


def build_ingest(
    settings: Settings,
    progress: Progress,
    *,
    source: OsmExtractSource | None = None,
    store: MapDataStore | None = None,
    clock: Clock | None = None,
) -> IngestOsmExtract:
    """Wire the ingest use case; tests pass fakes for any collaborator."""
    from adapters.outbound.osm.pyosmium_source import PyosmiumOsmExtractSource

    return IngestOsmExtract(
        source=source or PyosmiumOsmExtractSource(),
        store=store or PostgresMapDataStore(settings.require_database_url()),
        clock=clock or SystemClock(),
        progress=progress,
    )


def load_street_network(settings: Settings) -> StreetNetwork:
    """Load the whole walking graph into memory (once per process)."""
    from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
    from wildside.domain.solver.street_network import StreetNetwork

    graph = PostgresWalkingNetworkSource(settings.require_database_url()).load()
    if graph.node_count == 0:
        raise ConfigurationError(
            "the database holds no walking network; run `wildside ingest` first",
            variable="WILDSIDE_DATABASE_URL",
        )
    return StreetNetwork(graph)


def build_plan_tour(
    settings: Settings,
    *,
    network: StreetNetwork | None = None,
    pois: PoiRepository | None = None,
    clock: Clock | None = None,
) -> PlanTour:
    """Wire the tour-planning use case; tests pass their own network or fakes."""
    from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
    from wildside.app.plan_tour import PlanTour
    from wildside.domain.solver import warm_up

    # Compile (or load from numba's cache) before the first request, so no
    # request pays for it.
    warm_up()

    return PlanTour(
        pois=pois or PostgresPoiRepository(per_call(settings.require_database_url())),
        network=network or load_street_network(settings),
        clock=clock or SystemClock(),
    )


def local_servers(settings: Settings) -> tuple[PostgresCluster, RedisServer]:
    """The private servers ``wildside services`` and ``wildside dev`` manage."""
    return (
        PostgresCluster(root=settings.run_dir / "postgres", port=settings.pg_port),
        RedisServer(root=settings.run_dir / "redis", port=settings.redis_port),
    )


@dataclass(frozen=True, slots=True)
class Runtime(CliRuntime):
    """``CliRuntime`` over real adapters."""

    settings: Settings

    def start_servers(self) -> list[ServerState]:
        """Start PostgreSQL, then Redis."""
        for server in local_servers(self.settings):
            server.start()
        return self.server_status()

    def stop_servers(self) -> list[ServerState]:
        """Stop Redis, then PostgreSQL (reverse of start)."""
        for server in reversed(local_servers(self.settings)):
            server.stop()
        return self.server_status()

    def server_status(self) -> list[ServerState]:
        """Report both servers."""
        postgres, redis = local_servers(self.settings)
        return [
            ServerState("postgresql", postgres.is_running(), postgres.url, "WILDSIDE_DATABASE_URL"),
            ServerState("redis", redis.is_running(), redis.url, "WILDSIDE_REDIS_URL"),
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
        return use_case(path, batch_size=batch_size or self.settings.ingest_batch_size)

    def plan_tour(self, request: TourRequest) -> Tour:
        """Load the network, then plan one tour."""
        return build_plan_tour(self.settings)(request)


def open_runtime() -> Runtime:
    """Read settings and build the CLI runtime."""
    return Runtime(load_settings())
