"""``/tiles``: vector tiles and TileJSON in the production tile gateway's URL scheme, no auth.

``/tiles/{source}/{z}/{x}/{y}.pbf`` and ``/tiles/{source}.json``, as the
chart's gateway serves them in front of Martin (``charts/wildside/templates/
_martin.tpl``), so the map page works unchanged against either. Tiles are
public map data, like the gateway's: no credential, no per-user quota.
"""

from __future__ import annotations

import gzip
from typing import Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.enums import ParamType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Parameter, PathItem, Schema
from litestar.params import FromPath

from adapters.inbound.http.routes import problem_spec
from adapters.inbound.http.state import services_of
from adapters.inbound.http.tile_cors import tile_cors
from wildside.domain.vector_tiles import (
    MAX_ZOOM,
    TILE_MAX_AGE_S,
    NoSuchTileError,
    TileAddress,
    TileRequest,
    TileSet,
    parse_layers,
)

PREFIX = "/tiles"
TILE_PATH = "/{source:str}/{z:str}/{x:str}/{tile:str}"
TILE_SET_PATH = "/{document:str}"
# The type Martin answers tiles with (the registered one is application/vnd.mapbox-vector-tile).
MVT_MEDIA_TYPE = "application/x-protobuf"
CACHE_CONTROL = f"public, max-age={TILE_MAX_AGE_S}"
# Below a kilobyte gzip saves less than a packet; not worth the CPU.
GZIP_MIN_BYTES = 1024
# nginx's default level: the z14 network tile 129 kB -> 73 kB in 2.6 ms (level 6: 69 kB, 7.9 ms).
GZIP_LEVEL = 1
NOT_FOUND = {
    404: problem_spec("No such source, or the address is not a tile (z 0..22, x and y below 2^z)"),
    503: problem_spec("PostgreSQL is unavailable; retry after `Retry-After` seconds"),
    504: problem_spec("The request took longer than the server's request timeout"),
}


CACHE_HEADERS = [
    ResponseHeader(
        name="ETag",
        description="The data version the answer was built from (`If-None-Match` → `304`)",
        documentation_only=True,
    ),
    ResponseHeader(
        name="Cache-Control",
        description=f"`{CACHE_CONTROL}`",
        documentation_only=True,
    ),
]
# What the URL scheme's segments are; Litestar only sees whole path segments.
_SOURCES = ["pois", "walk_edges", "pois,walk_edges", "walk_edges,pois"]
_SOURCE = Parameter(
    name="source",
    param_in=ParamType.PATH,
    required=True,
    description="`pois`, `walk_edges`, or both in one tile (Martin's composite sources)",
    schema=Schema(type=OpenAPIType.STRING, enum=list(_SOURCES)),
)


def _coordinate(name: str, description: str, maximum: int | None = None) -> Parameter:
    return Parameter(
        name=name,
        param_in=ParamType.PATH,
        required=True,
        description=description,
        schema=Schema(type=OpenAPIType.INTEGER, minimum=0, maximum=maximum),
    )


def document_paths(paths: dict[str, PathItem]) -> None:
    """Name the tile routes as clients use them: ``{y}.pbf`` and ``{source}.json``, typed.

    Litestar also documents a ``400`` for handlers with parameters; these take
    every segment as a string and answer any bad one ``404``, as the gateway does.
    """
    tile = paths.pop(f"{PREFIX}/{{source}}/{{z}}/{{x}}/{{tile}}", None)
    if tile is not None and tile.get is not None:
        (tile.get.responses or {}).pop("400", None)
        tile.get.parameters = [
            _SOURCE,
            _coordinate("z", f"zoom, 0..{MAX_ZOOM}", MAX_ZOOM),
            _coordinate("x", "column, below 2^z"),
            _coordinate("y", "row, below 2^z (counted from the north, as XYZ maps do)"),
        ]
        paths[f"{PREFIX}/{{source}}/{{z}}/{{x}}/{{y}}.pbf"] = tile
    tile_set = paths.pop(f"{PREFIX}/{{document}}", None)
    if tile_set is not None and tile_set.get is not None:
        (tile_set.get.responses or {}).pop("400", None)
        tile_set.get.parameters = [_SOURCE]
        paths[f"{PREFIX}/{{source}}.json"] = tile_set


class VectorLayer(msgspec.Struct):
    """One layer of the tiles, as TileJSON 3.0 lists it."""

    id: str
    description: str
    minzoom: int
    maxzoom: int
    fields: dict[str, str]


class TileJson(msgspec.Struct, omit_defaults=True):
    """TileJSON 3.0.0 of a source (https://github.com/mapbox/tilejson-spec)."""

    tilejson: str
    name: str
    description: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float]
    vector_layers: list[VectorLayer]
    scheme: str = "xyz"
    attribution: str | None = None


class TileController(Controller):
    """Thin handlers: parse the address, ask ``VectorTiles``, encode with cache and CORS headers."""

    path = PREFIX
    tags = ["map tiles"]  # noqa: RUF012 - Litestar reads these as class attributes
    middleware = [tile_cors]  # noqa: RUF012
    # Outside the session middleware: it re-sends a signed-in caller's cookie with every
    # answer, and a `Cache-Control: public` tile carrying a `Set-Cookie` could hand one
    # person's session to everyone behind a shared cache.
    opt = {"skip_session": True}  # noqa: RUF012

    @get(
        TILE_PATH,
        summary="A vector tile",
        description=(
            "One Mapbox Vector Tile (`{y}.pbf`) of `pois`, `walk_edges`, or both "
            "(`pois,walk_edges`), built from PostGIS. A layer is empty below its minzoom "
            "(`pois` 12, `walk_edges` 13); a tile with nothing in it is an empty body. "
            "`ETag` follows the data version: send it back in `If-None-Match` for a `304`. "
            "Data © OpenStreetMap contributors (ODbL). No authentication."
        ),
        operation_id="TilesTile",
        media_type=MVT_MEDIA_TYPE,
        cache_control=None,
        response_headers=CACHE_HEADERS,
        responses={
            304: ResponseSpec(None, description="Not modified: the `If-None-Match` tag is current"),
            **NOT_FOUND,
        },
        response_description="The tile (`application/x-protobuf`), possibly empty",
    )
    async def tile(
        self,
        request: Request[Any, Any, Any],
        source: FromPath[str],
        z: FromPath[str],
        x: FromPath[str],
        tile: FromPath[str],
    ) -> Response[bytes]:
        """One tile."""
        layers = parse_layers(source)
        if not tile.endswith(".pbf"):
            raise NoSuchTileError("a tile URL ends in {y}.pbf")
        wanted = TileRequest(layers, TileAddress.parse(z, x, tile.removesuffix(".pbf")))
        answer = await to_thread.run_sync(
            services_of(request).vector_tiles.tile,
            wanted,
            request.headers.get("if-none-match"),
            abandon_on_cancel=True,
        )
        # Gzip, when asked for, as Martin does behind the chart. The compressed answer is
        # another representation, so a client that takes gzip gets a weak tag (as nginx
        # gives it; small tiles too, so a 304 knows it without the body); If-None-Match
        # compares weakly, so either tag revalidates.
        is_gzip = accepts_gzip(request.headers.get("accept-encoding"))
        headers = tile_headers(f"W/{answer.etag}" if is_gzip else answer.etag)
        headers["Vary"] = "Accept-Encoding"
        if answer.is_not_modified:
            return Response(b"", status_code=304, headers=headers)
        body = answer.body
        if is_gzip and len(body) >= GZIP_MIN_BYTES:
            body = await to_thread.run_sync(gzip.compress, body, GZIP_LEVEL)
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=MVT_MEDIA_TYPE, headers=headers)

    @get(
        TILE_SET_PATH,
        summary="A tile source's TileJSON",
        description=(
            "TileJSON 3.0 of `pois`, `walk_edges` or `pois,walk_edges` (`{source}.json`): "
            "the tile URL in the same scheme, zooms, the data's bounds, each layer's fields, "
            "and the OpenStreetMap attribution. No authentication."
        ),
        operation_id="TilesTileJson",
        cache_control=None,
        response_headers=CACHE_HEADERS,
        responses={
            304: ResponseSpec(None, description="Not modified: the `If-None-Match` tag is current"),
            **NOT_FOUND,
        },
        response_description="The source's TileJSON",
    )
    async def tile_set(
        self, request: Request[Any, Any, Any], document: FromPath[str]
    ) -> Response[TileJson]:
        """One source's TileJSON."""
        if not document.endswith(".json"):
            raise NoSuchTileError("a TileJSON URL ends in {source}.json")
        layers = parse_layers(document.removesuffix(".json"))
        answer = await to_thread.run_sync(
            services_of(request).vector_tiles.tile_set,
            layers,
            request.headers.get("if-none-match"),
            abandon_on_cancel=True,
        )
        headers = tile_headers(answer.etag)
        if answer.tile_set is None:
            return Response(b"", status_code=304, headers=headers)  # type: ignore[arg-type]
        return Response(
            tile_json(answer.tile_set, tile_url(request, answer.tile_set)), headers=headers
        )


def tile_url(request: Request[Any, Any, Any], tile_set: TileSet) -> str:
    """The absolute tile URL template, from the Host the client used (as Martin builds it)."""
    base = str(request.base_url).rstrip("/")
    return f"{base}{PREFIX}/{tile_set.name}/{{z}}/{{x}}/{{y}}.pbf"


def tile_json(tile_set: TileSet, url: str) -> TileJson:
    """The wire form of a tile set."""
    b = tile_set.bounds
    return TileJson(
        tilejson="3.0.0",
        name=tile_set.name,
        description=tile_set.description,
        tiles=[url],
        minzoom=tile_set.minzoom,
        maxzoom=tile_set.maxzoom,
        bounds=[b.west, b.south, b.east, b.north],
        attribution=tile_set.attribution,
        vector_layers=[
            VectorLayer(
                id=layer.name,
                description=layer.description,
                minzoom=layer.minzoom,
                maxzoom=tile_set.maxzoom,
                fields=dict(layer.fields),
            )
            for layer in tile_set.layers
        ],
    )


def tile_headers(etag: str) -> dict[str, str]:
    """Cached for a minute, then revalidated by data version."""
    return {"Cache-Control": CACHE_CONTROL, "ETag": etag, "X-Content-Type-Options": "nosniff"}


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*``, not at q=0).

    >>> accepts_gzip("br, gzip;q=0.8"), accepts_gzip("gzip;q=0"), accepts_gzip(None)
    (True, False, False)
    >>> accepts_gzip("identity, *;q=0.1"), accepts_gzip("deflate")
    (True, False)
    """
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip().lower().removeprefix("q=").strip() if "q=" in params.lower() else "1"
        try:
            return float(q) > 0
        except ValueError:
            return False
    return False
