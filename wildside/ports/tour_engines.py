"""Port: a tour engine for a search area (the street network loaded for what a tour can reach)."""

from __future__ import annotations

from typing import Protocol

from wildside.ports.poi_repository import SearchArea
from wildside.ports.tour_engine import TourEngine
from wildside.ports.walking_network_source import NoWalkingNetworkError, WalkingNetworkError

__all__ = ["FixedTourEngines", "NoWalkingNetworkError", "TourEngineFactory", "WalkingNetworkError"]


class TourEngineFactory(Protocol):
    """Gives ``PlanTour`` an engine over the streets of one request's area.

    Raises ``NoWalkingNetworkError`` when no street is stored within the
    area's reach, ``WalkingNetworkError`` when stored tiles cannot be read.
    """

    def for_area(self, area: SearchArea) -> TourEngine:
        """An engine whose shortest paths within ``area``'s walk are the whole graph's."""
        ...


class FixedTourEngines(TourEngineFactory):
    """One engine for every area: a network already in memory (tests, benchmarks)."""

    def __init__(self, engine: TourEngine) -> None:
        self._engine = engine

    def for_area(self, area: SearchArea) -> TourEngine:
        """The same engine, whatever the area."""
        return self._engine
