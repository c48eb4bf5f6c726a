"""Id generator port: new unique identifiers (request ids)."""

from __future__ import annotations

from typing import Protocol


class IdGenerator(Protocol):
    """Makes ids; injected so tests can predict them."""

    def new_id(self) -> str:
        """Return a new UUID in canonical text form."""
        ...
