"""Health probe port: is a backing service reachable right now?"""

from __future__ import annotations

from typing import Protocol


class HealthProbe(Protocol):
    """One dependency's readiness check."""

    @property
    def name(self) -> str:
        """What is checked, e.g. ``postgresql``."""
        ...

    def check(self) -> None:
        """Return if the service answers; raise ``UnavailableError`` if not."""
        ...
