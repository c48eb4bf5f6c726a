"""A ``TourPlanner`` that returns a fixed two-stop tour, reporting progress on a fake clock."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.clock import FakeClock
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

    def data_version(self) -> str:
        return self.version

    def __call__(
        self, request: RouteSpec, progress: Any = None, data_version: str | None = None
    ) -> Tour:
        self.calls.append(request)
        for percent in self.progress_steps:
            if self.clock is not None:
                self.clock.advance(self.seconds_per_step)
            if self.real_delay_s:
                time.sleep(self.real_delay_s)
            if self.gate is not None:
                self.gate.wait()  # tests hold the job here to look at it mid-run
            if progress is not None:
                progress(percent, float(percent))
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
        return Tour(
            start=request.start,
            end=request.end or request.start,
            stops=stops,
            legs=legs,
            budget_s=request.budget_s,
            seed=request.seed,
            data_version=self.version,
            diagnostics=Diagnostics(40, 20, 0.01, 0.02, 0.03, 0.06, 1500),
            themes=tuple(request.themes),
        )
