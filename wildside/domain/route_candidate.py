"""A better tour found while a job runs: the ``route_candidate`` WebSocket message, and its pace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wildside.domain.geo import GeoPoint
from wildside.domain.route_status import StatusUpdate

CANDIDATE_MESSAGE_TYPE = "route_candidate"


@dataclass(frozen=True, slots=True)
class SketchStop:
    """A stop of a candidate tour: enough to draw and name it."""

    id: str
    name: str | None
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class TourSketch:
    """The solver's best tour so far, before leg paths: stops in order and their total score.

    ``score`` is computed as the final result's is (the stops' scores, rounded
    to 6 decimals), so the two compare exactly.
    """

    score: float
    stops: tuple[SketchStop, ...]
    start: GeoPoint
    end: GeoPoint

    @property
    def path(self) -> list[list[float]]:
        """Straight lines from the start through the stops to the end, ``[lng, lat]`` each.

        Street paths need a search per leg; a sketch is for drawing at once.
        """
        points = [self.start, *(GeoPoint(s.lat, s.lng) for s in self.stops), self.end]
        return [[p.lng, p.lat] for p in points]


@dataclass(frozen=True, slots=True)
class RouteCandidate:
    """The ``seq``-th better tour of one request's running job, as followers receive it."""

    request_id: str
    seq: int
    sketch: TourSketch
    at: datetime

    def to_message(self) -> dict[str, Any]:
        """The WebSocket message (``docs/api/ws_route_candidate.schema.json``)."""
        return {
            "type": CANDIDATE_MESSAGE_TYPE,
            "request_id": self.request_id,
            "seq": self.seq,
            "score": self.sketch.score,
            "stops": [
                {"order": order, "id": s.id, "name": s.name, "lat": s.lat, "lng": s.lng}
                for order, s in enumerate(self.sketch.stops, start=1)
            ],
            "path": {"type": "LineString", "coordinates": self.sketch.path},
            "path_kind": "straight",
            "timestamp": self.at.isoformat().replace("+00:00", "Z"),
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> RouteCandidate:
        """Inverse of :meth:`to_message`."""
        coordinates = message["path"]["coordinates"]
        (start_lng, start_lat), (end_lng, end_lat) = coordinates[0], coordinates[-1]
        stops = tuple(
            SketchStop(str(s["id"]), s["name"], float(s["lat"]), float(s["lng"]))
            for s in message["stops"]
        )
        return cls(
            request_id=str(message["request_id"]),
            seq=int(message["seq"]),
            sketch=TourSketch(
                float(message["score"]),
                stops,
                GeoPoint(float(start_lat), float(start_lng)),
                GeoPoint(float(end_lat), float(end_lng)),
            ),
            at=datetime.fromisoformat(str(message["timestamp"]).replace("Z", "+00:00")),
        )


# What a request's channel carries: its status changes, and better tours while it runs.
ChannelMessage = StatusUpdate | RouteCandidate


def channel_message(message: Any) -> ChannelMessage:
    """Read one channel message of either kind (``KeyError``/``ValueError``/``TypeError`` if
    malformed)."""
    if not isinstance(message, dict):
        raise TypeError(f"a channel message is a JSON object, not {type(message).__name__}")
    if message.get("type") == CANDIDATE_MESSAGE_TYPE:
        return RouteCandidate.from_message(message)
    return StatusUpdate.from_message(message)


def is_candidate_due(
    last_sent_at: float | None, now: float, interval_s: float, *, score: float, best_sent: float
) -> bool:
    """Whether a better tour found at ``now`` (monotonic seconds) is sent to followers.

    The first at once, then at most one per ``interval_s``, and only one that
    beats every tour sent before.

    Examples
    --------
    >>> is_candidate_due(None, 0.2, 1.0, score=1.0, best_sent=float("-inf"))
    True
    >>> is_candidate_due(0.2, 0.9, 1.0, score=2.0, best_sent=1.0)
    False
    >>> is_candidate_due(0.2, 1.2, 1.0, score=2.0, best_sent=1.0)
    True
    >>> is_candidate_due(0.2, 5.0, 1.0, score=1.0, best_sent=1.0)
    False
    """
    if score <= best_sent:
        return False
    return last_sent_at is None or now - last_sent_at >= interval_s
