"""``/api/v1/routes``: submit a route request, then read its status or result."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from msgspec import UNSET

from adapters.inbound.http.auth import current_user
from adapters.inbound.http.bodies import StrictJson
from adapters.inbound.http.problems import MEDIA_TYPE, Problem, problem
from adapters.inbound.http.route_history import (
    decode_cursor,
    encode_cursor,
    summary,
)
from adapters.inbound.http.state import services_of, settings_of
from adapters.inbound.http.wire import (
    Accepted,
    PointIn,
    RouteHistory,
    RoutePending,
    RouteReady,
    RouteRequestBody,
)
from wildside.domain.accounts import User
from wildside.domain.cancellation import CANCELLED_ERROR
from wildside.domain.geo import GeoPoint
from wildside.domain.preferences import RouteDraft
from wildside.domain.rate_limit import RateLimitDecision
from wildside.domain.route_status import TIMEOUT_ERROR, RouteStatus

PATH = "/api/v1/routes"
AUTHENTICATED: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]  # either one


def problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        generate_examples=False,
        description=description,
        media_type=MEDIA_TYPE,
    )


COMMON_ERRORS = {
    401: problem_spec("No valid bearer token or session"),
    503: problem_spec("PostgreSQL or Redis is unavailable; retry after `Retry-After` seconds"),
    504: problem_spec("The request took longer than the server's request timeout"),
}


async def require_json(request: Request[Any, Any, Any]) -> None:
    """Refuse bodies that are not JSON before they are parsed: 415, or 400 when empty."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(status_code=415, detail="send the body as application/json")
    if not await request.body():
        raise HTTPException(status_code=400, detail="the body is empty; send a JSON object")


class RouteController(Controller):
    """Thin handlers: decode, call one use case, encode."""

    path = PATH
    tags = ["routes"]  # noqa: RUF012 - Litestar reads these as class attributes
    dependencies = {"user": Provide(current_user)}  # noqa: RUF012
    security = AUTHENTICATED

    @post(
        "/",
        status_code=202,
        summary="Request a walking tour",
        description=(
            "Validates the request and queues it; the tour is computed by a worker. "
            "Poll `GET /api/v1/routes/{request_id}` or subscribe over `/ws`. "
            "An `Idempotency-Key` is honoured for 24 h: the same key and body return the "
            "same `request_id`; the same key with another body is a 409. "
            "`duration_minutes`, `preferences` and `pace` left out take the user's saved "
            "preferences (`GET /api/v1/me/preferences`); without a saved duration, "
            "`duration_minutes` is required (422)."
        ),
        before_request=require_json,
        dto=StrictJson[RouteRequestBody],
        return_dto=None,
        response_headers=[],
        responses={
            400: problem_spec("The body is not valid JSON"),
            404: problem_spec("`from_route` names no route of this user"),
            409: problem_spec(
                "Idempotency-Key reused with a different body, or `from_route` has no tour"
            ),
            413: problem_spec("The body is larger than the server accepts"),
            415: problem_spec("The body is not JSON"),
            422: problem_spec(
                "The body is well-formed but invalid (ranges, unknown themes, no duration "
                "given or saved)"
            ),
            429: problem_spec("Rate limit reached; retry after `Retry-After` seconds"),
            **COMMON_ERRORS,
        },
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RouteRequestBody],
        user: NamedDependency[User],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                required=False,
                pattern=r"^[\x21-\x7e]{1,255}$",
                min_length=1,
                max_length=255,
                description="1-255 visible ASCII characters; same key + same body -> same id",
                examples=[Example(value="3f1c2a8e-trip-to-the-park")],
            ),
        ] = None,
    ) -> Response[Accepted]:
        """Queue a tour; answer ``202`` with its ``request_id`` and ``Location``."""
        # What the body leaves out (None) is filled from the saved preferences by the use case.
        spec = RouteDraft(
            start=GeoPoint(data.start.lat, data.start.lng),
            end=GeoPoint(data.end.lat, data.end.lng) if isinstance(data.end, PointIn) else None,
            end_anywhere=data.end == "anywhere",
            duration_minutes=None if data.duration_minutes is UNSET else data.duration_minutes,
            themes=None if data.preferences is UNSET else data.preferences,
            seed=data.seed,
            pace_m_s=data.pace,
            exclude=data.visited,
            alternatives=data.alternatives,
            start_time=data.start_time,
        )
        submit = services_of(request).submit_route
        # The trace context (the edge's server span) reaches the worker through the job.
        submission = await to_thread.run_sync(
            submit, user, spec, idempotency_key, data.from_route, abandon_on_cancel=True
        )
        headers = {"Location": f"{PATH}/{submission.request_id}", **rate_headers(submission.rate)}
        return Response(Accepted(submission.request_id), status_code=202, headers=headers)

    @get(
        "/{request_id:str}",
        summary="Read a tour request",
        description=(
            "`202` with `Retry-After` while queued or running, `200` with the route once "
            "succeeded, a problem once failed (`504` on timeout, `410` `cancelled` once "
            "its user cancelled it, `422` otherwise). Another user's request is a `404`."
        ),
        responses={
            200: ResponseSpec(
                data_container=RouteReady,
                generate_examples=False,
                description="The route: stops, legs, the walk's geometry, timings, diagnostics",
            ),
            202: ResponseSpec(
                data_container=RoutePending,
                generate_examples=False,
                description="Queued or running",
            ),
            400: problem_spec("The request is malformed"),
            404: problem_spec("No such request for this user (or expired after 24 h)"),
            410: problem_spec(
                "`cancelled`: the request was cancelled (`DELETE`); or "
                "`route-result-unreadable`: the result was stored in a shape this version "
                "cannot read"
            ),
            422: problem_spec("The request failed: the route could not be computed"),
            **COMMON_ERRORS,
        },
    )
    async def read(
        self,
        request: Request[Any, Any, Any],
        request_id: FromPath[str],
        user: NamedDependency[User],
    ) -> Response[Any]:
        """The request's state, or its route."""
        read = services_of(request).get_route
        record = await to_thread.run_sync(read, user, request_id, abandon_on_cancel=True)
        if record.status is RouteStatus.SUCCEEDED and record.result is not None:
            ready = RouteReady(record.request_id, "succeeded", record.result)
            return Response(ready, status_code=200)
        if record.status is RouteStatus.FAILED and record.error == CANCELLED_ERROR:
            return problem(
                410,
                "cancelled",
                "the request was cancelled; submit it again for a tour",
                request_id=record.request_id,
            )
        if record.status is RouteStatus.FAILED:
            is_timeout = record.error == TIMEOUT_ERROR
            return problem(
                504 if is_timeout else 422,
                "timeout" if is_timeout else "route-generation-failed",
                "the route took longer than the job time limit"
                if is_timeout
                else record.error or "the route could not be computed",
                request_id=record.request_id,
            )
        retry = str(settings_of(request).retry_after_s)
        pending = RoutePending(record.request_id, record.status.value, record.progress)  # type: ignore[arg-type]
        return Response(pending, status_code=202, headers={"Retry-After": retry})

    @delete(
        "/{request_id:str}",
        status_code=204,
        summary="Cancel a tour request",
        description=(
            "A queued request ends at once; a running one as soon as its worker next "
            "reports progress (its job is not retried). Either way it is stored, and "
            'announced over `/ws`, as `failed` with `error: "cancelled"` now, and `GET` '
            "answers `410 cancelled`. Cancelling a cancelled request again is a `204` "
            "no-op; a request that already succeeded or failed is a `409`. Another "
            "user's request is a `404`."
        ),
        responses={
            400: problem_spec("The request is malformed"),
            404: problem_spec("No such request for this user (or expired after 24 h)"),
            409: problem_spec("`route-request-finished`: the request already succeeded or failed"),
            **COMMON_ERRORS,
        },
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        request_id: FromPath[str],
        user: NamedDependency[User],
    ) -> None:
        """End the request as cancelled (idempotent)."""
        cancel = services_of(request).cancel_route
        await to_thread.run_sync(cancel, user, request_id, abandon_on_cancel=True)

    @get(
        "/",
        summary="List my tour requests",
        description=(
            "The caller's requests still inside the 24 h retention window, newest first, "
            "with status, progress, error and what was asked for (fetch a route by its "
            "`request_id`). Pass `next_cursor` back as `cursor` for the next page; it is "
            "`null` on the last page."
        ),
        responses={
            200: ResponseSpec(
                data_container=RouteHistory,
                generate_examples=False,
                description="A page of the caller's requests, newest first",
            ),
            400: problem_spec("`invalid-cursor`: the cursor is not one this API gave out"),
            422: problem_spec("`limit` is out of range"),
            **COMMON_ERRORS,
        },
    )
    async def history(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        limit: Annotated[int, QueryParameter(ge=1, le=100, description="page size")] = 20,
        cursor: Annotated[
            str | None, QueryParameter(description="`next_cursor` of the previous page")
        ] = None,
    ) -> Response[Any]:
        """A page of the caller's requests, newest first."""
        after = None if cursor is None else decode_cursor(cursor)  # a bad one: 400 invalid-cursor
        read = functools.partial(services_of(request).list_routes, user, limit=limit, after=after)
        page = await to_thread.run_sync(read, abandon_on_cancel=True)
        next_cursor = None if page.next is None else encode_cursor(page.next)
        return Response(RouteHistory([summary(r) for r in page.requests], next_cursor))


def rate_headers(rate: RateLimitDecision) -> dict[str, str]:
    """``RateLimit-Limit/Remaining/Reset`` (IETF draft names, delta seconds)."""
    return {
        "RateLimit-Limit": str(rate.limit),
        "RateLimit-Remaining": str(rate.remaining),
        "RateLimit-Reset": str(rate.reset_s),
    }
