"""A ``TourPlanner`` that returns a fixed two-stop tour, reporting progress on a fake clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.clock import FakeClock
from wildside.domain.route_candidate import TourSketch
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Diagnostics, Tour, TourLeg, TourStop


@dataclass
class FakePlanner:
    """Returns a two-stop tour after reporting progress; can be made slow or failing."""

    clock: FakeClock | None = None
    version: str = "import-1"
    calls: list[RouteSpec] = field(default_factory=list)
    progress_steps: tuple[int, ...] = (0, 30, 60, 100)
    seconds_per_step: float = 0.0
    error: Exception | None = None
    gate: threading.Event | None = None
    real_delay_s: float = 0.0  # wall-clock pause per step, for tests of real time limits
    # Time spent reading the map data version, before any planning (fake clock, wall clock).
    version_seconds: float = 0.0
    version_delay_s: float = 0.0
    on_step: Callable[[int], object] | None = None  # runs before each progress report
    # Better tours "found" before each progress step, by the step's index (as the solver would).
    sketches: tuple[TourSketch, ...] = ()

    def data_version(self) -> str:
        if self.clock is not None:
            self.clock.advance(self.version_seconds)
        if self.version_delay_s:
            time.sleep(self.version_delay_s)
        return self.version

    def __call__(
        self,
        request: RouteSpec,
        progress: Any = None,
        data_version: str | None = None,
        on_candidate: Any = None,
    ) -> Tour:
        self.calls.append(request)
        is_partial = False
        for step, percent in enumerate(self.progress_steps):
            if on_candidate is not None and step < len(self.sketches):
                on_candidate(self.sketches[step])
            if self.clock is not None:
                self.clock.advance(self.seconds_per_step)
            if self.real_delay_s:
                time.sleep(self.real_delay_s)
            if self.gate is not None:
                self.gate.wait()  # tests hold the job here to look at it mid-run
            if self.on_step is not None:
                self.on_step(percent)
            if progress is not None and progress(percent, float(percent)):
                is_partial = True  # asked to stop: keep the tour held so far, as the solver does
                break
        if self.error is not None:
            raise self.error
        stops = [
            TourStop("node/1", "Old Church", 60.17, 24.95, ("history",), 0.8, 300.0, 600.0, "why"),
            TourStop("way/2", "Park", 60.18, 24.95, ("nature",), 0.6, 1500.0, 300.0, "why"),
        ]
        legs = [
            TourLeg(390.0, 300.0, [(24.94, 60.17), (24.95, 60.17)]),
            TourLeg(780.0, 600.0, [(24.95, 60.17), (24.95, 60.18)]),
            TourLeg(1170.0, 900.0, [(24.95, 60.18), (24.94, 60.17)]),
        ]
        tour = Tour(
            start=request.start,
            end=request.end or request.start,
            stops=stops,
            legs=legs,
            budget_s=request.budget_s,
            seed=request.seed,
            data_version=self.version,
            diagnostics=Diagnostics(40, 20, 0.01, 0.02, 0.03, 0.06, 1500, is_partial=is_partial),
            themes=tuple(request.themes),
            # As PlanTour: the request's start, or when the tour is planned (here, after its steps).
            start_time=request.start_time or (self.clock.now() if self.clock else None),
        )
        # ``alternatives: k``: k - 1 one-stop tours, each with the next seed, best first.
        others = tuple(
            replace(tour, stops=stops[index % 2 : index % 2 + 1], seed=request.seed + index)
            for index in range(1, request.alternatives)
        )
        return replace(tour, alternatives=tuple(sorted(others, key=lambda t: -t.score)))
