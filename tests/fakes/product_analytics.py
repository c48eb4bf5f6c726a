"""A ``ProductAnalytics`` that remembers every event, for asserting what a use case reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wildside.ports.product_analytics import ProductAnalytics, Property


@dataclass
class RecordingProductAnalytics(ProductAnalytics):
    """``events`` holds ``(event, user_id, properties)`` in the order captured."""

    events: list[tuple[str, str, dict[str, Property]]] = field(default_factory=list)

    def capture(self, event: str, user_id: str, properties: Mapping[str, Property]) -> None:
        """Remember the event."""
        self.events.append((event, user_id, dict(properties)))

    def names(self) -> list[str]:
        """The events' names, in order."""
        return [event for event, _, _ in self.events]
