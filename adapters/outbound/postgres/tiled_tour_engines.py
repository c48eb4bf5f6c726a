"""``TourEngineFactory`` over ``walk_tiles``: each request's engine runs on its area's tiles."""

from __future__ import annotations

from adapters.outbound.postgres.walk_tile_graph import stitch_tiles
from adapters.outbound.postgres.walking_network_source import (
    PostgresWalkingNetworkSource,
    TileVersions,
)
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.poi_repository import SearchArea
from wildside.ports.tour_engine import TourEngine
from wildside.ports.tour_engines import TourEngineFactory


class PostgresTourEngineFactory(TourEngineFactory):
    """Engines over stitched tiles; stitched networks are cached beside the tiles.

    A request costs one version check (one indexed query on ``walk_tiles``).
    When the versions of its tiles match a network already stitched (the same
    tiles, none rebuilt since), that network and its snapping index are used
    as they are; otherwise changed tiles are read, and the network stitched and
    kept. Tiles and networks share the source's byte budget, so the cache
    never holds more than ``WILDSIDE_GRAPH_CACHE_MB``; a network evicted while
    a request still uses it lives until that request ends.
    """

    def __init__(self, source: PostgresWalkingNetworkSource) -> None:
        self._source = source

    def for_area(self, area: SearchArea) -> TourEngine:
        """An engine over the tiles ``area`` touches (see ``TourEngineFactory``)."""
        return NumbaTourEngine(self.network_for(area))

    def network_for(self, area: SearchArea) -> StreetNetwork:
        """The stitched network of ``area``'s tiles, from the cache when none changed.

        Threads asking for the same tile versions together stitch them once
        (the cache's single flight) and share the network.
        """
        versions = self._source.tile_versions(area)
        return self._source.cache.get_or_load(("network", versions), lambda: self._stitch(versions))

    def _stitch(self, versions: TileVersions) -> tuple[StreetNetwork, int]:
        tiles, _ = self._source.tiles(versions)
        network = StreetNetwork(stitch_tiles(tiles))
        # The piece labels come with the stitched graph, so its nbytes counts them.
        return network, network.nbytes
