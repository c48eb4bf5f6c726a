"""Wire types of the HTTP API (msgspec): request bodies and responses, as OpenAPI shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from wildside.domain.route_result import RouteResult
from wildside.domain.route_spec import (
    MAX_ALTERNATIVES,
    MAX_DURATION_MINUTES,
    MAX_EXCLUDED,
    MAX_PACE_M_S,
    MAX_SEED,
    MIN_DURATION_MINUTES,
    MIN_PACE_M_S,
    RouteSpec,
)
from wildside.domain.saved_routes import MAX_TITLE_CHARS

# Kept equal to wildside.domain.poi_tags.THEMES by a unit test (OpenAPI needs the literal values).
Theme = Literal["architecture", "art", "culture", "food", "history", "nature", "religion", "views"]
Latitude = Annotated[float, Meta(ge=-90.0, le=90.0, description="WGS84 degrees")]
Longitude = Annotated[float, Meta(ge=-180.0, le=180.0, description="WGS84 degrees")]
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
StopId = Annotated[
    str,
    Meta(
        pattern=r"^[a-z]{1,16}/-?[0-9]{1,20}$",
        max_length=40,
        description="a stop's id, as the route names it",
        examples=["node/123"],
    ),
]

Minutes = Annotated[
    float, Meta(ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES, description="time budget")
]


class PointIn(msgspec.Struct, forbid_unknown_fields=True):
    """A position."""

    lat: Latitude
    lng: Longitude


# ``end: "anywhere"``: the tour may finish wherever the budget runs out (at its last stop).
EndAnywhere = Annotated[
    Literal["anywhere"], Meta(description="finish at the last stop, wherever that is")
]


class RouteRequestBody(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/routes``: where, how long, what you like (the seed's contract).

    ``duration_minutes``, ``preferences`` and ``pace`` left out take the
    user's saved preferences; a duration must come from one or the other.
    ``UNSET`` (not ``null``) marks the first two as left out, so their schemas
    stay plain (``"preferences": []`` means no theme, not "use mine").
    """

    start: PointIn
    duration_minutes: Minutes | UnsetType = UNSET
    preferences: Annotated[list[Theme], Meta(max_length=16)] | UnsetType = UNSET
    end: PointIn | EndAnywhere | None = None
    seed: Annotated[int, Meta(ge=0, le=MAX_SEED)] | None = None
    pace: Annotated[float, Meta(ge=MIN_PACE_M_S, le=MAX_PACE_M_S, description="m/s")] | None = None
    # A re-plan: the route being walked (the user's own succeeded request or saved route) and
    # the stops seen.
    from_route: (
        Annotated[
            str,
            Meta(
                pattern=UUID_PATTERN,
                description="request id or saved-route id of the route being walked",
            ),
        ]
        | None
    ) = None
    visited: Annotated[
        list[StopId], Meta(max_length=MAX_EXCLUDED, description="stop ids never to visit again")
    ] = msgspec.field(default_factory=list)
    alternatives: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_ALTERNATIVES,
            description="distinct tours to return: the route, then k - 1 alternatives",
        ),
    ] = 1
    start_time: (
        Annotated[
            datetime,
            Meta(
                tz=True,
                description="when the walk starts, RFC 3339 with an offset (default: now)",
                examples=["2026-12-08T10:00:00+02:00"],
            ),
        ]
        | None
    ) = None


class Accepted(msgspec.Struct):
    """The id to poll (``GET /api/v1/routes/{request_id}``) or follow over ``/ws``."""

    request_id: str


class RoutePending(msgspec.Struct):
    """The request is still queued or running."""

    request_id: str
    status: Literal["queued", "running"]
    progress: Annotated[int, Meta(ge=0, le=100)]


class RouteReady(msgspec.Struct):
    """``GET /api/v1/routes/{request_id}`` once the route is ready."""

    request_id: str
    status: Literal["succeeded"]
    route: RouteResult


class LoginBody(msgspec.Struct, forbid_unknown_fields=True):
    """Username and password."""

    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=1024)]


class UserOut(msgspec.Struct):
    """Who is logged in."""

    id: str
    username: str


class Health(msgspec.Struct):
    """Liveness or readiness, with each dependency's state."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class BoxOut(msgspec.Struct):
    """A bounding box in WGS84 degrees."""

    south: float
    west: float
    north: float
    east: float


class EnrichmentJobOut(msgspec.Struct):
    """One enrichment job: the area asked for, how it ended, where the data came from."""

    id: str
    bbox: BoxOut
    themes: list[str]
    started_at: str
    finished_at: str | None
    outcome: str | None
    endpoint: str | None
    source_url: str | None
    attempts: int
    bytes_read: int
    pois_received: int
    pois_inserted: int
    pois_updated: int
    error: str | None


class EnrichmentJobsOut(msgspec.Struct):
    """Recent enrichment jobs, newest first."""

    jobs: list[EnrichmentJobOut]


class PointGeometry(msgspec.Struct):
    """A GeoJSON Point: ``[longitude, latitude]`` in WGS84 (RFC 7946 order)."""

    type: Literal["Point"]
    coordinates: Annotated[list[float], Meta(min_length=2, max_length=2)]


class PlaceProperties(msgspec.Struct):
    """What is known about a place: OSM's tags as tagged, and the score tours give it."""

    id: str
    name: str | None
    kinds: list[str]
    themes: list[str]
    score: Annotated[float, Meta(ge=0.0, le=1.0)]
    wikipedia: str | None
    wikidata: str | None
    opening_hours: str | None
    osm_type: Literal["node", "way", "relation"]
    osm_id: int
    osm_url: str


class PlaceFeature(msgspec.Struct):
    """One place as a GeoJSON Feature."""

    type: Literal["Feature"]
    id: str
    geometry: PointGeometry
    properties: PlaceProperties


class PlaceCollection(msgspec.Struct):
    """``GET /api/v1/pois``: a GeoJSON FeatureCollection, best first, and the next cursor."""

    type: Literal["FeatureCollection"]
    features: list[PlaceFeature]
    next: str | None
    attribution: str
    attribution_url: str
    license: str


class RouteRequestSummary(msgspec.Struct):
    """One of the caller's route requests: where it is, and what was asked for.

    ``request`` is the request as stored (themes sorted, defaults filled in).
    ``error`` is ``"cancelled"`` for a request its user cancelled, ``"timeout"``
    for one that ran out of time with no tour.
    """

    request_id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: Annotated[int, Meta(ge=0, le=100)]
    error: str | None
    created_at: str
    updated_at: str
    request: RouteRequestBody


class RouteHistory(msgspec.Struct):
    """``GET /api/v1/routes``: newest first; pass ``next_cursor`` as ``cursor`` for more."""

    requests: list[RouteRequestSummary]
    next_cursor: str | None


class SaveRouteBody(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/routes/{request_id}/save``: an optional title (the body may be left out)."""

    title: Annotated[str, Meta(max_length=MAX_TITLE_CHARS)] | None = None


class RouteParametersOut(msgspec.Struct):
    """What was asked for, with every default filled in (the effective request)."""

    start: PointIn
    end: PointIn | EndAnywhere | None
    duration_minutes: float
    preferences: list[str]
    seed: int
    pace: float
    alternatives: int = 1  # distinct tours asked for
    start_time: datetime | None = None  # when the walk was planned to start (None: "now")


class SavedRouteSummaryOut(msgspec.Struct):
    """A saved route in a list: no geometry; ``duration_s`` is walking plus visits."""

    id: str
    request_id: str
    title: str | None
    created_at: str
    request: RouteParametersOut
    distance_m: int
    stops: int
    duration_s: float


class SavedRoutesOut(msgspec.Struct):
    """A page of saved routes, newest first; pass ``next_cursor`` as ``cursor`` for more."""

    items: list[SavedRouteSummaryOut]
    next_cursor: str | None


class SavedRouteOut(msgspec.Struct):
    """A saved route with its whole tour, as it was when saved."""

    id: str
    request_id: str
    title: str | None
    created_at: str
    request: RouteParametersOut
    route: RouteResult


class PreferencesBody(msgspec.Struct, forbid_unknown_fields=True):
    """``PUT /api/v1/me/preferences``: replaces them all; a field left out is the system's."""

    themes: Annotated[list[Theme], Meta(max_length=16)] = msgspec.field(default_factory=list)
    duration_minutes: Minutes | None = None
    pace: Annotated[float, Meta(ge=MIN_PACE_M_S, le=MAX_PACE_M_S, description="m/s")] | None = None


class PreferencesOut(msgspec.Struct):
    """The defaults in force; ``updated_at`` is ``null`` while they are the system's."""

    themes: list[str]
    duration_minutes: float | None
    pace: float
    updated_at: str | None


def end_out(spec: RouteSpec) -> PointIn | EndAnywhere | None:
    """A spec's end as the wire writes it: a point, ``"anywhere"``, or ``None`` (round trip)."""
    if spec.end is not None:
        return PointIn(spec.end.lat, spec.end.lng)
    return "anywhere" if spec.end_anywhere else None
