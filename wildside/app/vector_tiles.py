"""Use case: vector map tiles and their TileJSON, tagged with the data version for caches."""

from __future__ import annotations

from dataclasses import dataclass

from wildside.domain.vector_tiles import (
    LayerFacts,
    TileLayer,
    TileRequest,
    TileSet,
    is_fresh,
    tile_etag,
    tile_set,
)
from wildside.ports.vector_tile_source import VectorTileSource


@dataclass(frozen=True, slots=True)
class TileAnswer:
    """A tile's bytes (``b""``: empty), its ETag, and whether the caller's copy is current."""

    body: bytes
    etag: str
    is_not_modified: bool = False


@dataclass(frozen=True, slots=True)
class TileSetAnswer:
    """A source's description (``None`` when the caller's copy is current) and its ETag."""

    tile_set: TileSet | None
    etag: str


class VectorTiles:
    """Serves the map's tiles from the store, each tagged with the data it was built from.

    The version is read before the tile, so a tag never claims newer data than
    the tile holds. Layer facts (an extent over all the layer's rows) are kept
    per version: they are read once after each import, not per TileJSON.
    """

    def __init__(self, source: VectorTileSource) -> None:
        self._source = source
        self._facts: dict[str, tuple[str, LayerFacts]] = {}  # layer -> (version, facts)

    def tile(self, request: TileRequest, if_none_match: str | None = None) -> TileAnswer:
        """The tile of ``request``'s layers, or "not modified" when ``if_none_match`` holds its tag.

        Layers below their ``minzoom`` add nothing and cost no query; several
        layers are one tile, their encodings concatenated (a tile is a
        sequence of layers).

        Raises
        ------
        VectorTileSourceError
            The store failed (``UnavailableError`` when it cannot be reached).
        """
        etag = tile_etag(self._source.data_version())
        if is_fresh(if_none_match, etag):
            return TileAnswer(b"", etag, is_not_modified=True)
        body = b"".join(self._source.tile(layer, request.address) for layer in request.drawn_layers)
        return TileAnswer(body, etag)

    def tile_set(
        self, layers: tuple[TileLayer, ...], if_none_match: str | None = None
    ) -> TileSetAnswer:
        """What TileJSON says of ``layers``: zooms, bounds, attribution, each layer's fields."""
        version = self._source.data_version()
        etag = tile_etag(version)
        if is_fresh(if_none_match, etag):
            return TileSetAnswer(None, etag)
        return TileSetAnswer(
            tile_set(layers, [self._facts_of(layer, version) for layer in layers]), etag
        )

    def _facts_of(self, layer: TileLayer, version: str) -> LayerFacts:
        known = self._facts.get(layer.name)
        if known is not None and known[0] == version:
            return known[1]
        facts = self._source.facts(layer)
        # Threads may race to fill this: each stores what it read for its version.
        self._facts[layer.name] = (version, facts)
        return facts
