"""Wire the engine and ingestion: the walking network, tour planning, OSM import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.outbound.local_servers.postgres_cluster import PostgresCluster
from adapters.outbound.local_servers.redis_server import RedisServer
from adapters.outbound.postgres.connection import ConnectionSource, per_call
from adapters.outbound.postgres.map_data_store import PostgresMapDataStore
from adapters.outbound.system_clock import SystemClock
from adapters.settings import TILE_REBUILD_BATCH_SIZE, Settings
from wildside.app.ingest_osm_extract import IngestOsmExtract
from wildside.app.rebuild_walk_tiles import RebuildWalkTiles
from wildside.domain.errors import ConfigurationError
from wildside.ports.clock import Clock
from wildside.ports.map_data_store import MapDataStore
from wildside.ports.opening_calendar import OpeningCalendar
from wildside.ports.osm_extract_source import OsmExtractSource
from wildside.ports.poi_repository import PoiRepository
from wildside.ports.progress import Progress
from wildside.ports.tour_engine import TourEngine
from wildside.ports.tour_engines import FixedTourEngines, TourEngineFactory
from wildside.ports.tracer import Tracer

if TYPE_CHECKING:
    from adapters.outbound.postgres.tiled_tour_engines import PostgresTourEngineFactory
    from wildside.app.plan_tour import EngineSettings, PlanTour
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
        batch_size=settings.ingest_batch_size,
    )


def build_rebuild_tiles(
    settings: Settings,
    progress: Progress,
    *,
    store: MapDataStore | None = None,
    clock: Clock | None = None,
) -> RebuildWalkTiles:
    """Wire the tile-rebuild use case (`wildside rebuild-tiles`); tests pass fakes."""
    return RebuildWalkTiles(
        store=store or PostgresMapDataStore(settings.require_database_url()),
        clock=clock or SystemClock(),
        progress=progress,
        batch_size=TILE_REBUILD_BATCH_SIZE,
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


def build_tour_engines(
    settings: Settings, connections: ConnectionSource | None = None
) -> PostgresTourEngineFactory:
    """Engines over the walking-graph tiles of each request's area, with one shared cache.

    Nothing is loaded here: the first request in an area reads its tiles.
    """
    from adapters.outbound.graph_cache import GraphCache
    from adapters.outbound.postgres.tiled_tour_engines import PostgresTourEngineFactory
    from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource

    url = settings.require_database_url()
    cache = GraphCache(settings.graph_cache_mb * 1024 * 1024)
    source = PostgresWalkingNetworkSource(url, connections=connections, cache=cache)
    return PostgresTourEngineFactory(source)


def build_plan_tour(
    settings: Settings,
    *,
    network: StreetNetwork | None = None,
    engine: TourEngine | None = None,
    engines: TourEngineFactory | None = None,
    pois: PoiRepository | None = None,
    clock: Clock | None = None,
    tracer: Tracer | None = None,
    connections: ConnectionSource | None = None,
    calendar: OpeningCalendar | None = None,
    engine_settings: EngineSettings | None = None,
) -> PlanTour:
    """Wire the tour-planning use case; tests pass their own network, engine or fakes.

    By default each request gets an engine over its area's tiles (read on
    demand, cached by bytes); a ``network`` or ``engine`` passed in serves
    every request instead (the whole-graph baseline of the benchmarks). Opening
    hours are read with opening-hours-py unless a ``calendar`` is passed.
    """
    from adapters.outbound.opening_hours_calendar import OpeningHoursPyOpeningCalendar
    from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
    from wildside.app.plan_tour import PlanTour
    from wildside.domain.solver import warm_up
    from wildside.domain.solver.engine import NumbaTourEngine

    # Compile (or load from numba's cache) before the first request, so no
    # request pays for it; the same for the opening-hours tables.
    warm_up()
    if calendar is None:
        calendar = OpeningHoursPyOpeningCalendar()
        calendar.warm_up()

    if engine is None and network is not None:
        engine = NumbaTourEngine(network)
    if engines is None:
        engines = (
            FixedTourEngines(engine)
            if engine is not None
            else build_tour_engines(settings, connections)
        )
    return PlanTour(
        pois=pois
        or PostgresPoiRepository(connections or per_call(settings.require_database_url())),
        engines=engines,
        clock=clock or SystemClock(),
        settings=engine_settings,
        tracer=tracer,
        calendar=calendar,
    )


def local_servers(settings: Settings) -> tuple[PostgresCluster, RedisServer, RedisServer]:
    """The private servers ``wildside services`` and ``wildside dev`` manage.

    Redis runs twice, once per role, because eviction is a server-wide
    setting: the queue keeps everything (AOF, ``noeviction``), the cache keeps
    at most ``redis_cache_maxmemory_mb`` and evicts the least used.
    """
    return (
        PostgresCluster(root=settings.run_dir / "postgres", port=settings.pg_port),
        RedisServer(root=settings.run_dir / "redis", port=settings.redis_port),
        RedisServer(
            root=settings.run_dir / "redis-cache",
            port=settings.cache_server_port(),
            is_durable=False,  # a cache is rebuilt by use; persisting it buys nothing
            maxmemory_mb=settings.redis_cache_maxmemory_mb,
            eviction_policy="allkeys-lfu",
        ),
    )
