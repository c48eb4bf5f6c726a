"""Vector tile source port: one layer's Mapbox Vector Tile for a tile address, and its facts."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.vector_tiles import LayerFacts, TileAddress, TileLayer

__all__ = ["LayerFacts", "TileAddress", "TileLayer", "VectorTileSource", "VectorTileSourceError"]


class VectorTileSourceError(WildsideError):
    """The store could not build a tile or describe a layer (lost connections are unavailable)."""

    code = "vector-tile-source-error"


class VectorTileSource(Protocol):
    """Builds tiles from the stored map data, as the production tile server does."""

    def data_version(self) -> str:
        """The stored data's version (``import-<n>``, or ``empty``), new with every import."""
        ...

    def tile(self, layer: TileLayer, address: TileAddress) -> bytes:
        """One Mapbox Vector Tile (v2, extent 4096) holding one layer named ``layer.name``.

        Each feature carries ``layer.fields`` as properties, its geometry
        clipped to the tile plus a 64-unit buffer. No feature: ``b""``, the
        empty tile.
        """
        ...

    def facts(self, layer: TileLayer) -> LayerFacts:
        """The layer's attribution and the box around all its data (``None`` when empty)."""
        ...
