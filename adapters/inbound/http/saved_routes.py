"""``/api/v1/routes/{request_id}/save`` and ``/api/v1/saved-routes``: tours a user keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from adapters.inbound.http.auth import current_user
from adapters.inbound.http.bodies import StrictJson
from adapters.inbound.http.routes import AUTHENTICATED, COMMON_ERRORS, problem_spec
from adapters.inbound.http.state import services_of
from adapters.inbound.http.time_cursor import decode_time_cursor, encode_time_cursor
from adapters.inbound.http.wire import (
    PointIn,
    RouteParametersOut,
    SavedRouteOut,
    SavedRoutesOut,
    SavedRouteSummaryOut,
    SaveRouteBody,
    end_out,
)
from wildside.domain.accounts import User
from wildside.domain.route_spec import RouteSpec
from wildside.domain.saved_routes import MAX_PAGE_SIZE, SavedRoutePosition, SavedRouteSummary

SAVED_PATH = "/api/v1/saved-routes"
SAVE_PATH = "/api/v1/routes/{request_id}/save"  # the body is optional (openapi_fixes says so)
DEFAULT_PAGE_SIZE = 20
MAX_CURSOR_CHARS = 200


async def optional_json(request: Request[Any, Any, Any]) -> None:
    """A body may be left out; one that is sent must be JSON (415 otherwise)."""
    if not await request.body():
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(status_code=415, detail="send the body as application/json")


class SavedRouteController(Controller):
    """Thin handlers over the ``SavedRoutes`` use cases."""

    path = "/api/v1"
    tags = ["saved routes"]  # noqa: RUF012 - Litestar reads these as class attributes
    dependencies = {"user": Provide(current_user)}  # noqa: RUF012
    security = AUTHENTICATED

    @post(
        "/routes/{request_id:str}/save",
        status_code=201,
        summary="Save a tour",
        description=(
            "Copies a succeeded route into the user's saved routes, kept until deleted (the "
            'request itself expires after 24 h). The body is optional: `{"title": ...}` (at '
            "most 120 characters; control characters become spaces, runs of spaces one). "
            "`201` with `Location` for a new copy; saving the same request again answers "
            "`200` with the first copy (same id and title)."
        ),
        before_request=optional_json,
        dto=StrictJson[SaveRouteBody],
        return_dto=None,
        responses={
            200: ResponseSpec(
                data_container=SavedRouteSummaryOut,
                generate_examples=False,
                description="Saved before: the first copy",
            ),
            400: problem_spec("The body is not valid JSON"),
            404: problem_spec("No such request for this user (or expired after 24 h)"),
            409: problem_spec("The request has not succeeded: no route to save"),
            410: problem_spec("The result was stored in a shape this version cannot read"),
            413: problem_spec("The body is larger than the server accepts"),
            415: problem_spec("The body is not JSON"),
            422: problem_spec("The body is well-formed but invalid (title too long)"),
            **COMMON_ERRORS,
        },
    )
    async def save(
        self,
        request: Request[Any, Any, Any],
        request_id: FromPath[str],
        user: NamedDependency[User],
        data: JSONBody[SaveRouteBody | None] = None,
    ) -> Response[SavedRouteSummaryOut]:
        """Save; ``201`` and ``Location`` when new, ``200`` when saved before."""
        title = None if data is None else data.title
        save = services_of(request).saved_routes.save
        outcome = await to_thread.run_sync(save, user, request_id, title, abandon_on_cancel=True)
        saved = outcome.saved
        headers = {"Location": f"{SAVED_PATH}/{saved.saved_id}"}
        status = 201 if outcome.is_new else 200
        return Response(summary_out(saved), status_code=status, headers=headers)

    @get(
        "/saved-routes",
        summary="List saved tours",
        description=(
            "The user's saved routes, newest first, without geometry. Pass `next_cursor` "
            "as `cursor` for the next page; `next_cursor` is `null` on the last page."
        ),
        responses={
            400: problem_spec("`cursor` is not one this server gave out, or malformed"),
            422: problem_spec("`limit` is out of range"),
            **COMMON_ERRORS,
        },
    )
    async def list_saved(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="page size")
        ] = DEFAULT_PAGE_SIZE,
        cursor: Annotated[
            str | None,
            QueryParameter(
                max_length=MAX_CURSOR_CHARS, description="`next_cursor` of the previous page"
            ),
        ] = None,
    ) -> SavedRoutesOut:
        """One page."""
        after = None if cursor is None else decode_cursor(cursor)
        page = services_of(request).saved_routes.page
        found = await to_thread.run_sync(page, user, after, limit, abandon_on_cancel=True)
        next_cursor = None if found.next is None else encode_cursor(found.next)
        return SavedRoutesOut([summary_out(s) for s in found.items], next_cursor)

    @get(
        "/saved-routes/{saved_id:str}",
        summary="Read a saved tour",
        description="The saved route with its whole tour. Another user's is a `404`.",
        responses={
            400: problem_spec("The request is malformed"),
            404: problem_spec("No such saved route for this user"),
            410: problem_spec("The route was stored in a shape this version cannot read"),
            **COMMON_ERRORS,
        },
    )
    async def read_saved(
        self, request: Request[Any, Any, Any], saved_id: FromPath[str], user: NamedDependency[User]
    ) -> SavedRouteOut:
        """The saved route."""
        read = services_of(request).saved_routes.get
        route = await to_thread.run_sync(read, user, saved_id, abandon_on_cancel=True)
        s = route.summary
        return SavedRouteOut(
            s.saved_id,
            s.request_id,
            s.title,
            timestamp(s.created_at),
            parameters(s.spec),
            route.result,
        )

    @delete(
        "/saved-routes/{saved_id:str}",
        status_code=204,
        summary="Delete a saved tour",
        description=(
            "Idempotent: `204` whether it was deleted now or was already gone. "
            "Another user's saved route is a `404` and stays."
        ),
        responses={
            400: problem_spec("The request is malformed"),
            404: problem_spec("Another user's saved route, or an id that is not a UUID"),
            **COMMON_ERRORS,
        },
    )
    async def delete_saved(
        self, request: Request[Any, Any, Any], saved_id: FromPath[str], user: NamedDependency[User]
    ) -> None:
        """Delete."""
        remove = services_of(request).saved_routes.delete
        await to_thread.run_sync(remove, user, saved_id, abandon_on_cancel=True)


def encode_cursor(position: SavedRoutePosition) -> str:
    """The position as an opaque cursor (``time_cursor``)."""
    return encode_time_cursor(position.created_at, position.saved_id)


def decode_cursor(cursor: str) -> SavedRoutePosition:
    """Inverse of :func:`encode_cursor`; ``InvalidCursorError`` (a 400) for anything else."""
    return SavedRoutePosition(*decode_time_cursor(cursor))


def summary_out(saved: SavedRouteSummary) -> SavedRouteSummaryOut:
    """The list item of ``saved``."""
    return SavedRouteSummaryOut(
        id=saved.saved_id,
        request_id=saved.request_id,
        title=saved.title,
        created_at=timestamp(saved.created_at),
        request=parameters(saved.spec),
        distance_m=saved.distance_m,
        stops=saved.stop_count,
        duration_s=saved.used_s,
    )


def parameters(spec: RouteSpec) -> RouteParametersOut:
    """The effective request's parameters."""
    end = end_out(spec)
    return RouteParametersOut(
        start=PointIn(spec.start.lat, spec.start.lng),
        end=end,
        duration_minutes=spec.duration_minutes,
        preferences=list(spec.themes),
        seed=spec.seed,
        pace=spec.pace_m_s,
        alternatives=spec.alternatives,
        start_time=spec.start_time,
    )


def timestamp(at: datetime) -> str:
    """ISO 8601 in UTC with ``Z``, as status messages write it."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
