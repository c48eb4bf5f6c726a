"""``/api/v1/me/preferences``: a user's defaults for the route requests that leave them out."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Request, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from adapters.inbound.http.auth import current_user
from adapters.inbound.http.bodies import StrictJson
from adapters.inbound.http.routes import AUTHENTICATED, COMMON_ERRORS, problem_spec, require_json
from adapters.inbound.http.saved_routes import timestamp
from adapters.inbound.http.state import services_of
from adapters.inbound.http.wire import PreferencesBody, PreferencesOut
from wildside.app.preferences import PreferencesView
from wildside.domain.accounts import User
from wildside.domain.preferences import Preferences


class PreferencesController(Controller):
    """Each user reads and replaces only their own preferences."""

    path = "/api/v1/me/preferences"
    tags = ["account"]  # noqa: RUF012 - Litestar reads these as class attributes
    dependencies = {"user": Provide(current_user)}  # noqa: RUF012
    security = AUTHENTICATED

    @get(
        "/",
        summary="Read my preferences",
        description=(
            "The defaults a `POST /api/v1/routes` takes for what it leaves out. A user who "
            "never saved any gets the system's: no themes, no duration, pace 1.3 m/s, "
            "`updated_at: null`."
        ),
        responses=COMMON_ERRORS,
    )
    async def read(
        self, request: Request[Any, Any, Any], user: NamedDependency[User]
    ) -> PreferencesOut:
        """The preferences in force."""
        get_preferences = services_of(request).preferences.get
        view = await to_thread.run_sync(get_preferences, user, abandon_on_cancel=True)
        return preferences_out(view)

    @put(
        "/",
        summary="Replace my preferences",
        description=(
            "Replaces every preference: a field left out takes the system default "
            "(`themes: []`, `duration_minutes: null`, `pace: 1.3`). Same ranges as a route "
            "request."
        ),
        before_request=require_json,
        dto=StrictJson[PreferencesBody],
        return_dto=None,
        responses={
            400: problem_spec("The body is not valid JSON"),
            413: problem_spec("The body is larger than the server accepts"),
            415: problem_spec("The body is not JSON"),
            422: problem_spec("The body is well-formed but invalid (ranges, unknown themes)"),
            **COMMON_ERRORS,
        },
    )
    async def replace(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PreferencesBody],
        user: NamedDependency[User],
    ) -> PreferencesOut:
        """Save them; answer what is now in force."""
        preferences = Preferences.build(
            themes=data.themes, duration_minutes=data.duration_minutes, pace_m_s=data.pace
        )
        put_preferences = services_of(request).preferences.put
        view = await to_thread.run_sync(put_preferences, user, preferences, abandon_on_cancel=True)
        return preferences_out(view)


def preferences_out(view: PreferencesView) -> PreferencesOut:
    """The wire shape of ``view``."""
    preferences = view.preferences
    return PreferencesOut(
        themes=list(preferences.themes),
        duration_minutes=preferences.duration_minutes,
        pace=preferences.pace_m_s,
        updated_at=None if view.updated_at is None else timestamp(view.updated_at),
    )
