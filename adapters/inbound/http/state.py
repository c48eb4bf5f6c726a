"""Where handlers find the services and settings the app was built with."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from adapters.inbound.http.services import HttpServices, HttpSettings


def services_of(connection: ASGIConnection[Any, Any, Any, Any]) -> HttpServices:
    """The services the lifespan opened."""
    services: HttpServices = connection.app.state.services
    return services


def settings_of(connection: ASGIConnection[Any, Any, Any, Any]) -> HttpSettings:
    """The HTTP settings the app was created with."""
    settings: HttpSettings = connection.app.state.http_settings
    return settings
