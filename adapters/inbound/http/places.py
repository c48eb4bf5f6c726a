"""``/api/v1/pois``: places near a point or inside a box, as GeoJSON, a page at a time."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from adapters.inbound.http.auth import current_user
from adapters.inbound.http.routes import AUTHENTICATED, COMMON_ERRORS, problem_spec, rate_headers
from adapters.inbound.http.state import services_of
from adapters.inbound.http.wire import (
    PlaceCollection,
    PlaceFeature,
    PlaceProperties,
    PointGeometry,
    Theme,
)
from wildside.domain.accounts import User
from wildside.domain.places import (
    ATTRIBUTION,
    ATTRIBUTION_URL,
    DEFAULT_LIMIT,
    DEFAULT_RADIUS_M,
    LICENSE,
    MAX_CURSOR_CHARS,
    MAX_LIMIT,
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    PlaceQuery,
    osm_ref,
    osm_url,
)
from wildside.domain.scoring import ScoredPoi, kinds_of

GEOJSON = "application/geo+json"


class PlaceController(Controller):
    """Thin handler: decode the query string, call ``FindPlaces``, encode GeoJSON."""

    path = "/api/v1/pois"
    tags = ["places"]  # noqa: RUF012 - Litestar reads these as class attributes
    dependencies = {"user": Provide(current_user)}  # noqa: RUF012
    security = AUTHENTICATED

    @get(
        "/",
        summary="Places near me",
        description=(
            "Stored points of interest within `radius_m` of `lat`/`lng`, or inside `bbox` "
            "(exactly one of the two), best first, as a GeoJSON FeatureCollection. "
            "`score` is the one tour planning gives the place for these `themes`. "
            "Page with the opaque `next` cursor until it is `null`. Data © OpenStreetMap "
            "contributors (ODbL). Rate limited per user (`RateLimit-*` headers)."
        ),
        media_type=GEOJSON,
        responses={
            400: problem_spec("`cursor` was altered or belongs to another query"),
            422: problem_spec("Out-of-range values, or not exactly one of point and bbox"),
            429: problem_spec("Rate limit reached; retry after `Retry-After` seconds"),
            **COMMON_ERRORS,
        },
        response_description="The places, best first, and the next page's cursor",
    )
    async def find(  # noqa: PLR0917 - one parameter per query-string field, as Litestar reads them
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        lat: Annotated[
            float | None, QueryParameter(ge=-90.0, le=90.0, description="WGS84 degrees")
        ] = None,
        lng: Annotated[
            float | None, QueryParameter(ge=-180.0, le=180.0, description="WGS84 degrees")
        ] = None,
        radius_m: Annotated[
            float | None,
            QueryParameter(
                ge=MIN_RADIUS_M,
                le=MAX_RADIUS_M,
                description=f"metres around lat/lng (default {DEFAULT_RADIUS_M:g})",
            ),
        ] = None,
        bbox: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                description="west,south,east,north in WGS84 degrees (instead of lat/lng)",
                examples=[Example(value="24.93,60.16,24.96,60.18")],
            ),
        ] = None,
        themes: Annotated[
            list[Theme] | None,
            QueryParameter(max_items=8, description="only places of these themes (repeat it)"),
        ] = None,
        min_score: Annotated[
            float, QueryParameter(ge=0.0, le=1.0, description="only places scoring this or more")
        ] = 0.0,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_LIMIT, description="places per page")
        ] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None,
            QueryParameter(max_length=MAX_CURSOR_CHARS, description="`next` of the last page"),
        ] = None,
    ) -> Response[PlaceCollection]:
        """One page of places."""
        query = PlaceQuery.build(
            lat=lat,
            lng=lng,
            radius_m=radius_m,
            bbox=bbox,
            themes=themes or (),
            min_score=min_score,
            limit=limit,
        )
        find = services_of(request).find_places
        page = await to_thread.run_sync(find, user, query, cursor, abandon_on_cancel=True)
        collection = PlaceCollection(
            type="FeatureCollection",
            features=[_feature(place) for place in page.places],
            next=page.next_cursor,
            attribution=ATTRIBUTION,
            attribution_url=ATTRIBUTION_URL,
            license=LICENSE,
        )
        return Response(collection, media_type=GEOJSON, headers=rate_headers(page.rate))


def _feature(place: ScoredPoi) -> PlaceFeature:
    poi = place.poi
    osm_type, osm_id = osm_ref(poi.key)
    return PlaceFeature(
        type="Feature",
        id=poi.key,
        geometry=PointGeometry(type="Point", coordinates=[poi.lng, poi.lat]),
        properties=PlaceProperties(
            id=poi.key,
            name=poi.name,
            kinds=kinds_of(poi.tags),
            themes=list(poi.themes),
            score=place.score,
            wikipedia=poi.tags.get("wikipedia"),
            wikidata=poi.tags.get("wikidata"),
            opening_hours=poi.tags.get("opening_hours"),
            osm_type=osm_type,  # type: ignore[arg-type]  # the store's CHECK constraint
            osm_id=osm_id,
            osm_url=osm_url(poi.key),
        ),
    )
