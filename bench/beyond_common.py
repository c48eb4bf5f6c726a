"""What bench/beyond.py's measurements share: the seeded requests, percentiles, the door check."""

from __future__ import annotations

import random
from typing import Any

from adapters.outbound.opening_hours_calendar import OpeningHoursPyOpeningCalendar
from wildside.domain.geo import GeoPoint
from wildside.domain.poi_tags import THEMES
from wildside.domain.route_spec import RouteSpec
from wildside.domain.start_time import parse_start_time
from wildside.domain.tour import Tour
from wildside.ports.opening_calendar import HoursQuery

CENTRE = GeoPoint(60.1699, 24.9384)
# A Tuesday in December (no public holiday in Finland): a morning and an evening walk.
OPENING_STARTS = ("2026-12-08T10:00:00+02:00", "2026-12-08T19:00:00+02:00")
# Every request starts then unless a measurement says otherwise, so runs compare.
MORNING = parse_start_time(OPENING_STARTS[0])


def requests(count: int, seed: int) -> list[RouteSpec]:
    rng = random.Random(seed)
    specs = []
    for index in range(count):
        start = GeoPoint(
            CENTRE.lat + rng.uniform(-0.006, 0.006), CENTRE.lng + rng.uniform(-0.012, 0.012)
        )
        themes = rng.sample(THEMES, rng.randint(1, 3))
        specs.append(
            RouteSpec.build(
                start=start,
                duration_minutes=90,
                preferences=themes,
                seed=index,
                start_time=MORNING,
            )
        )
    return specs


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def args(spec: RouteSpec) -> dict[str, Any]:
    return {
        "start": spec.start,
        "duration_minutes": spec.duration_minutes,
        "preferences": spec.themes,
        "seed": spec.seed,
        "pace_m_s": spec.pace_m_s,
        "start_time": spec.start_time,
    }


def closed_doors(tour: Tour, calendar: OpeningHoursPyOpeningCalendar) -> int:
    """Stops of ``tour`` closed at their arrival (or before their visit ends).

    Arrivals are printed to 0.1 s; a door that shut less than that before is
    rounding, not a closed door.
    """
    assert tour.start_time is not None
    tagged = [s for s in tour.stops if s.opening.hours is not None]
    openings = calendar.openings(
        [HoursQuery(s.opening.hours, GeoPoint(s.lat, s.lng)) for s in tagged],
        tour.start_time,
        tour.budget_s,
    )
    pairs = zip(tagged, openings, strict=True)
    return sum(
        opening.state(s.arrival_s + 0.1, s.dwell_s - 0.2) == "closed" for s, opening in pairs
    )
