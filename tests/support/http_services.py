"""``HttpServices`` for tests of the HTTP layer: only the use cases a test names, ``None`` else."""

from __future__ import annotations

import dataclasses
from typing import Any

from adapters.inbound.http.services import HttpServices


class SilentTelemetry:
    """Measures nothing (the HTTP layer's ``Telemetry``, for tests that do not count)."""

    content_type = "text/plain"

    def request_finished(self, path: str, method: str, status: int, seconds: float) -> None:
        """Ignore."""

    def websocket_opened(self) -> None:
        """Ignore."""

    def websocket_closed(self) -> None:
        """Ignore."""

    def websocket_message(self, direction: str) -> None:
        """Ignore."""

    def render(self) -> bytes:
        """Nothing."""
        return b""


def http_services(**given: Any) -> HttpServices:
    """Every field ``None`` (``probes`` empty) but those ``given``; a new field needs no edit here.

    Examples
    --------
    >>> services = http_services(probes=["ping"])
    >>> services.probes, services.submit_route
    (['ping'], None)
    """
    unknown = set(given) - {f.name for f in dataclasses.fields(HttpServices)}
    if unknown:
        raise TypeError(f"HttpServices has no field(s) {sorted(unknown)}")
    values: dict[str, Any] = {f.name: None for f in dataclasses.fields(HttpServices)}
    values["probes"] = ()
    return HttpServices(**(values | given))
