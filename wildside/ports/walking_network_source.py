"""Walking network source port: the street graph as compact arrays (CSR), whole or for an area."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.errors import InvalidInputError, WildsideError
from wildside.domain.walking_graph import WalkingGraph
from wildside.ports.poi_repository import SearchArea

__all__ = [
    "NoWalkingNetworkError",
    "SearchArea",
    "WalkingGraph",
    "WalkingNetworkError",
    "WalkingNetworkSource",
]


class WalkingNetworkError(WildsideError):
    """The network could not be loaded (a damaged or unreadable tile, a broken row)."""

    code = "walking-network-error"


class NoWalkingNetworkError(InvalidInputError):
    """No walking network is stored anywhere a tour from this start could reach."""

    code = "no-walking-network"


class WalkingNetworkSource(Protocol):
    """Loads the walking graph: the part a search area can reach, or all of it."""

    def for_area(self, area: SearchArea) -> WalkingGraph:
        """The graph over every vertex a walk in ``area`` can reach or snap to.

        Holds every vertex within the area's reach plus the snapping margin
        (it may hold more), and every arc between two vertices it holds, so
        shortest paths no longer than the area's walk are those of the whole
        graph. Vertices ascend by OSM id. Raises ``NoWalkingNetworkError`` when
        it would be empty.
        """
        ...

    def load(self) -> WalkingGraph:
        """Return the whole walking graph (benchmarks and tests compare with it)."""
        ...
