"""In-memory ``VectorTileSource``: places and street edges in lists, tiles encoded by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tests.support import mvt
from wildside.domain.scoring import Poi
from wildside.domain.vector_tiles import Bounds, LayerFacts, TileAddress, TileLayer
from wildside.ports.vector_tile_source import VectorTileSource

ATTRIBUTION = '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>'
EXTENT, BUFFER = 4096, 64


@dataclass(frozen=True)
class Edge:
    """A stored walking edge: ``points`` are (lat, lng) pairs along it."""

    way_id: int
    seq: int
    highway: str
    length_m: float
    points: tuple[tuple[float, float], ...]


@dataclass
class InMemoryVectorTileSource(VectorTileSource):
    """Tiles of ``pois`` and ``edges``; ``version`` is what an import would have set.

    A feature is in a tile when one of its points is inside the tile and its
    buffer (the real source clips lines that only cross it too; the contract
    tests do not depend on that). ``asked`` records each tile and facts read.
    """

    pois: list[Poi] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    version: str = "empty"
    asked: list[str] = field(default_factory=list)

    def data_version(self) -> str:
        """``version``."""
        return self.version

    def tile(self, layer: TileLayer, address: TileAddress) -> bytes:
        """The layer's features with a point in the buffered tile, as ``ST_AsMVT`` encodes them."""
        self.asked.append(f"tile {layer.name} {address.z}/{address.x}/{address.y}")
        features = []
        if layer.name == "pois":
            for poi in self.pois:
                point = _pixel(address, poi.lat, poi.lng)
                if _inside(point):
                    properties: dict[str, mvt.Value] = {"id": poi.key}
                    if poi.name is not None:
                        properties["name"] = poi.name
                    properties["themes"] = "{" + ",".join(poi.themes) + "}"  # text[] as text
                    properties["popularity"] = poi.popularity
                    features.append(mvt.Feature(mvt.POINT, [[point]], properties))
        else:
            for edge in self.edges:
                line = [_pixel(address, lat, lng) for lat, lng in edge.points]
                if any(_inside(point) for point in line):
                    properties = {
                        "way_id": edge.way_id,
                        "seq": edge.seq,
                        "highway": edge.highway,
                        "length_m": edge.length_m,
                    }
                    features.append(mvt.Feature(mvt.LINESTRING, [line], properties))
        return mvt.encode([mvt.Layer(layer.name, features)])

    def facts(self, layer: TileLayer) -> LayerFacts:
        """The OSM credit, and the box around the layer's points."""
        self.asked.append(f"facts {layer.name}")
        if layer.name == "pois":
            points = [(poi.lat, poi.lng) for poi in self.pois]
        else:
            points = [point for edge in self.edges for point in edge.points]
        if not points:
            return LayerFacts(ATTRIBUTION, None)
        lats, lngs = [p[0] for p in points], [p[1] for p in points]
        return LayerFacts(ATTRIBUTION, Bounds(min(lngs), min(lats), max(lngs), max(lats)))


def _pixel(address: TileAddress, lat: float, lng: float) -> tuple[int, int]:
    """Tile coordinates (0..4096 across the tile, y down) of a WGS84 position."""
    side = 1 << address.z
    x = (lng + 180.0) / 360.0 * side
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * side
    return round((x - address.x) * EXTENT), round((y - address.y) * EXTENT)


def _inside(point: tuple[int, int]) -> bool:
    return all(-BUFFER <= c <= EXTENT + BUFFER for c in point)
