"""Vector map tiles: the layers a map can ask for, valid tile addresses, and their cache tags."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wildside.domain.errors import NotFoundError

# MapLibre's deepest zoom; deeper addresses name no tile anyone draws.
MAX_ZOOM = 22
# Advertised in TileJSON: a client draws deeper zooms from these tiles (4096 units
# across a z18 tile are 4 cm at the equator), so one tile serves five zoom levels.
ADVERTISED_MAXZOOM = 18
# The tiles' own format: part of every ETag, so a change to what a tile holds
# (columns, extent, zoom caps) is never hidden behind a tag cached before it.
TILE_FORMAT = "t1"
# A tile is fresh this long, then revalidated with its ETag (one indexed lookup).
TILE_MAX_AGE_S = 60
_DIGITS = re.compile(r"^[0-9]{1,10}$")  # digits only, as the gateway matches them


class UnknownTileSourceError(NotFoundError):
    """The URL names a tile source that does not exist."""

    code = "unknown-tile-source"


class NoSuchTileError(NotFoundError):
    """The URL's zoom, column or row is not a tile of the pyramid."""

    code = "no-such-tile"


@dataclass(frozen=True, slots=True)
class TileLayer:
    """One source of vector tiles: a layer of that name in each tile, from ``minzoom`` on.

    Below ``minzoom`` its tiles are empty: a whole city's walking network in
    one low-zoom tile would be megabytes nobody can see.
    """

    name: str
    description: str
    minzoom: int
    fields: tuple[tuple[str, str], ...]  # (property, TileJSON type) in tile order


LAYERS: Mapping[str, TileLayer] = {
    layer.name: layer
    for layer in (
        TileLayer(
            "pois",
            "Wildside points of interest",
            12,
            (("id", "String"), ("name", "String"), ("themes", "String"), ("popularity", "Number")),
        ),
        TileLayer(
            "walk_edges",
            "Wildside walking network",
            13,
            (
                ("way_id", "Number"),
                ("seq", "Number"),
                ("highway", "String"),
                ("length_m", "Number"),
            ),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class TileAddress:
    """Zoom, column and row of one tile (XYZ, as web maps number them)."""

    z: int
    x: int
    y: int

    def __post_init__(self) -> None:
        """Only tiles of the pyramid: 0 <= z <= MAX_ZOOM, 0 <= x, y < 2**z."""
        if not 0 <= self.z <= MAX_ZOOM:
            raise NoSuchTileError(f"zoom {self.z} is outside 0..{MAX_ZOOM}")
        side = 1 << self.z
        if not (0 <= self.x < side and 0 <= self.y < side):
            raise NoSuchTileError(f"zoom {self.z} has columns and rows 0..{side - 1} only")

    @classmethod
    def parse(cls, z: str, x: str, y: str) -> TileAddress:
        """The address of URL segments: plain decimal digits only, as the gateway matches them.

        >>> TileAddress.parse("14", "9330", "4740")
        TileAddress(z=14, x=9330, y=4740)
        >>> TileAddress.parse("1", "2", "0")
        Traceback (most recent call last):
        ...
        wildside.domain.vector_tiles.NoSuchTileError: zoom 1 has columns and rows 0..1 only
        """
        if not all(_DIGITS.fullmatch(part) for part in (z, x, y)):
            raise NoSuchTileError("a tile address is three whole numbers: z/x/y")
        return cls(int(z), int(x), int(y))

    @classmethod
    def containing(cls, lat: float, lng: float, z: int) -> TileAddress:
        """The tile at zoom ``z`` that holds a WGS84 position (Web Mercator, clamped at 85.05°).

        >>> TileAddress.containing(60.1712, 24.9441, 14)
        TileAddress(z=14, x=9327, y=4742)
        """
        side = 1 << z
        lat_r = math.radians(max(-85.0511, min(85.0511, lat)))
        x = (lng + 180.0) / 360.0 * side
        y = (1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * side
        return cls(z, min(side - 1, max(0, int(x))), min(side - 1, max(0, int(y))))


@dataclass(frozen=True, slots=True)
class TileRequest:
    """One tile of one or more layers (Martin's composite sources: ``pois,walk_edges``)."""

    layers: tuple[TileLayer, ...]
    address: TileAddress

    @property
    def drawn_layers(self) -> tuple[TileLayer, ...]:
        """The layers with content at this zoom (the others add nothing to the tile)."""
        return tuple(layer for layer in self.layers if self.address.z >= layer.minzoom)


def parse_layers(source: str) -> tuple[TileLayer, ...]:
    """The layers a source name asks for: one name, or several joined by commas, each once.

    >>> [layer.name for layer in parse_layers("pois,walk_edges")]
    ['pois', 'walk_edges']
    >>> parse_layers("roads")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wildside.domain.vector_tiles.UnknownTileSourceError: no tile source 'roads'; ...
    """
    names = source.split(",")
    if len(set(names)) != len(names) or not all(name in LAYERS for name in names):
        shown = source if len(source) <= 60 else source[:59] + "…"
        raise UnknownTileSourceError(f"no tile source {shown!r}; there are {', '.join(LAYERS)}")
    return tuple(LAYERS[name] for name in names)


@dataclass(frozen=True, slots=True)
class Bounds:
    """West, south, east, north in WGS84 degrees."""

    west: float
    south: float
    east: float
    north: float

    def union(self, other: Bounds) -> Bounds:
        """The box around both."""
        return Bounds(
            min(self.west, other.west),
            min(self.south, other.south),
            max(self.east, other.east),
            max(self.north, other.north),
        )


WORLD = Bounds(-180.0, -85.0511, 180.0, 85.0511)


@dataclass(frozen=True, slots=True)
class LayerFacts:
    """What the store says about one layer's data: its credit, and where it has any."""

    attribution: str | None
    bounds: Bounds | None  # None: the layer is empty


@dataclass(frozen=True, slots=True)
class TileSet:
    """A source's TileJSON, without the URL (that is the server's to say)."""

    name: str
    description: str
    attribution: str | None
    minzoom: int
    maxzoom: int
    bounds: Bounds
    layers: tuple[TileLayer, ...]


def tile_set(layers: Sequence[TileLayer], facts: Sequence[LayerFacts]) -> TileSet:
    """Describe ``layers`` together from each one's ``facts`` (same order).

    Credits are kept once each, in layer order; an empty source claims the
    whole world, as TileJSON's default does, so no client skips a tile that
    data added later would fill.

    >>> pois = LAYERS["pois"]
    >>> facts = LayerFacts("© OSM", Bounds(24.9, 60.1, 25.0, 60.2))
    >>> ts = tile_set([pois], [facts])
    >>> (ts.name, ts.minzoom, ts.maxzoom, ts.bounds.west, ts.attribution)
    ('pois', 12, 18, 24.9, '© OSM')
    """
    credits = list(dict.fromkeys(f.attribution for f in facts if f.attribution))
    boxes = [f.bounds for f in facts if f.bounds is not None]
    bounds = boxes[0] if boxes else WORLD
    for box in boxes[1:]:
        bounds = bounds.union(box)
    return TileSet(
        name=",".join(layer.name for layer in layers),
        description="; ".join(layer.description for layer in layers),
        attribution=" ".join(credits) or None,
        minzoom=min(layer.minzoom for layer in layers),
        maxzoom=ADVERTISED_MAXZOOM,
        bounds=bounds,
        layers=tuple(layers),
    )


def tile_etag(data_version: str) -> str:
    """The strong ETag of every tile and TileJSON of one data version.

    >>> tile_etag("import-42")
    '"t1-import-42"'
    """
    return f'"{TILE_FORMAT}-{data_version}"'


def is_fresh(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, RFC 9110 §13.1.2).

    >>> is_fresh('W/"t1-import-1", "t1-import-2"', '"t1-import-2"')
    True
    >>> is_fresh('"t1-import-1"', '"t1-import-2"'), is_fresh(None, '"x"'), is_fresh("*", '"x"')
    (False, False, True)
    """
    if if_none_match is None:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)
