"""``/api/v1/login``, ``/api/v1/logout`` and ``/api/v1/me``: cookie sessions for browsers."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from adapters.inbound.http.auth import SESSION_EXPIRES, SESSION_USER, current_user
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
            "(encrypted and signed; HttpOnly, Secure, SameSite=Lax)."
        ),
        before_request=require_json,
        responses={**_INVALID, **COMMON_ERRORS},
    )
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[LoginBody]) -> UserOut:
        """Open a session."""
        accounts = services_of(request).accounts
        user = await to_thread.run_sync(accounts.log_in, data.username, data.password)
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
        """Clear the session."""
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
