"""Walking network source port: the whole street graph as compact arrays (CSR)."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.walking_graph import WalkingGraph

__all__ = ["WalkingGraph", "WalkingNetworkError", "WalkingNetworkSource"]


class WalkingNetworkError(WildsideError):
    """The network could not be loaded."""

    code = "walking-network-error"


class WalkingNetworkSource(Protocol):
    """Loads the walking graph (workers load it once per process)."""

    def load(self) -> WalkingGraph:
        """Return the whole walking graph."""
        ...
