"""``/api/v1/login``, ``/api/v1/logout`` and ``/api/v1/me``: cookie sessions for browsers."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from adapters.inbound.http.auth import SESSION_EXPIRES, SESSION_USER, current_user
from adapters.inbound.http.bodies import StrictJson
from adapters.inbound.http.problems import MEDIA_TYPE, Problem
from adapters.inbound.http.routes import AUTHENTICATED, COMMON_ERRORS, require_json
from adapters.inbound.http.state import services_of, settings_of
from adapters.inbound.http.wire import LoginBody, UserOut
from wildside.domain.accounts import User

_INVALID = {
    400: ResponseSpec(
        data_container=Problem,
        generate_examples=False,
        description="Not JSON",
        media_type=MEDIA_TYPE,
    ),
    413: ResponseSpec(
        data_container=Problem,
        generate_examples=False,
        description="Too large",
        media_type=MEDIA_TYPE,
    ),
    415: ResponseSpec(
        data_container=Problem,
        generate_examples=False,
        description="Not JSON",
        media_type=MEDIA_TYPE,
    ),
    422: ResponseSpec(
        data_container=Problem,
        generate_examples=False,
        description="Invalid body",
        media_type=MEDIA_TYPE,
    ),
}


_TOO_MANY = ResponseSpec(
    data_container=Problem,
    generate_examples=False,
    description="Too many login attempts; retry after `Retry-After` seconds",
    media_type=MEDIA_TYPE,
)


class AccountController(Controller):
    """Log in with a password to get an encrypted, signed session cookie."""

    path = "/api/v1"
    tags = ["account"]  # noqa: RUF012 - Litestar reads these as class attributes

    @post(
        "/login",
        status_code=200,
        summary="Log in",
        description=(
            "Checks username and password and sets the `session` cookie "
            "(encrypted and signed; HttpOnly, Secure, SameSite=Lax). Attempts are throttled "
            "per client address and per account: `429` with `Retry-After` when used up."
        ),
        before_request=require_json,
        dto=StrictJson[LoginBody],
        return_dto=None,
        responses={**_INVALID, 429: _TOO_MANY, **COMMON_ERRORS},
    )
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[LoginBody]) -> UserOut:
        """Open a session."""
        accounts = services_of(request).accounts
        address = request.client.host if request.client else "unknown"
        user = await to_thread.run_sync(accounts.log_in, data.username, data.password, address)
        expires = accounts.session_expiry(settings_of(request).session_max_age_s)
        request.set_session({SESSION_USER: user.id, SESSION_EXPIRES: expires})
        return UserOut(id=user.id, username=user.username)

    @post(
        "/logout",
        status_code=204,
        summary="Log out",
        description="Tells the browser to drop the session cookie (sessions are stateless).",
        responses={
            503: COMMON_ERRORS[503],
            504: COMMON_ERRORS[504],
        },
    )
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        """Clear the session (a live one is counted as ended)."""
        session = request.scope.get("session")
        if isinstance(session, dict):
            user_id, expires = session.get(SESSION_USER), session.get(SESSION_EXPIRES)
            if isinstance(user_id, str) and isinstance(expires, int | float):
                services_of(request).accounts.log_out(user_id, float(expires))
        request.clear_session()

    @get(
        "/me",
        summary="Who am I",
        dependencies={"user": Provide(current_user)},
        security=AUTHENTICATED,
        responses=COMMON_ERRORS,
    )
    async def me(self, user: NamedDependency[User]) -> UserOut:
        """The authenticated user (bearer token or session)."""
        return UserOut(id=user.id, username=user.username)
