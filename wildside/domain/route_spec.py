"""A route request, validated once: from the HTTP body or the CLI to the job and the engine."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.poi_tags import THEMES
from wildside.domain.start_time import check_start_time, parse_start_time, quarter_hour

DEFAULT_PACE_M_S = 1.3
MIN_PACE_M_S, MAX_PACE_M_S = 0.3, 3.0
MIN_DURATION_MINUTES = 1.0
MAX_DURATION_MINUTES = 480.0
MAX_SEED = 2**63 - 1
CACHE_NAMESPACE = "route:v2:"  # rotate the version when the engine or the document changes
CACHE_DECIMALS = 5  # ~1.1 m: closer starts share a cached tour
MAX_EXCLUDED = 64  # places a re-plan may skip: a long walk's stops, with room to spare
END_ANYWHERE = "anywhere"  # how documents (and the wire) say the tour may end wherever it likes
MAX_ALTERNATIVES = 5  # tours one request may ask for: each costs a full solve
POI_KEY = re.compile(r"^[a-z]{1,16}/-?[0-9]{1,20}$")  # "node/123", as routes name their stops


# The ranges of a request's preferences, shared with saved preferences
# (``wildside.domain.preferences``), so the two can never disagree.
def check_duration_minutes(minutes: float) -> None:
    """Refuse a duration outside 1..480 minutes (or not finite)."""
    if not math.isfinite(minutes) or not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise InvalidInputError(
            f"the duration must be at least {MIN_DURATION_MINUTES:g} and at most "
            f"{MAX_DURATION_MINUTES:g} minutes, got {minutes:g}",
            field="duration_minutes",
        )


def check_themes(themes: tuple[str, ...], *, field: str) -> None:
    """Refuse unknown themes, and themes that are not sorted and unique."""
    unknown = sorted(set(themes) - set(THEMES))
    if unknown:
        raise InvalidInputError(
            f"unknown theme(s) {', '.join(unknown)}; known themes: {', '.join(THEMES)}",
            field=field,
        )
    if tuple(sorted(set(themes))) != themes:
        raise InvalidInputError("themes must be sorted and unique", field=field)


def check_pace(pace_m_s: float) -> None:
    """Refuse a walking pace outside 0.3..3.0 m/s (or not finite)."""
    if not math.isfinite(pace_m_s) or not MIN_PACE_M_S <= pace_m_s <= MAX_PACE_M_S:
        raise InvalidInputError(
            f"pace must be between {MIN_PACE_M_S} and {MAX_PACE_M_S} m/s, got {pace_m_s:g}",
            field="pace",
        )


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """What a client asked for, after validation; equal specs mean the same request.

    Themes are sorted and unique, so ``["nature", "history"]`` and
    ``["history", "nature", "history"]`` are one spec.
    """

    start: GeoPoint
    duration_minutes: float
    themes: tuple[str, ...] = ()
    end: GeoPoint | None = None
    seed: int = 0
    pace_m_s: float = DEFAULT_PACE_M_S
    # Places never to visit (a re-plan skips the stops already seen): sorted, unique POI keys.
    exclude: tuple[str, ...] = ()
    # The tour may end wherever the budget runs out (at its last stop); ``end`` is then None.
    end_anywhere: bool = False
    # How many distinct tours to return (the best, then alternatives sharing few stops with it).
    alternatives: int = 1
    # When the walk starts (timezone-aware); None: when it is planned (see ``cache_key``).
    start_time: datetime | None = None

    def __post_init__(self) -> None:
        """Check ranges the types cannot express."""
        if self.end_anywhere and self.end is not None:
            raise InvalidInputError("a tour that ends anywhere has no end point", field="end")
        check_duration_minutes(self.duration_minutes)
        check_themes(self.themes, field="preferences")
        if not 0 <= self.seed <= MAX_SEED:
            raise InvalidInputError(f"seed must be between 0 and {MAX_SEED}", field="seed")
        check_pace(self.pace_m_s)
        _check_exclude(self.exclude)
        if not 1 <= self.alternatives <= MAX_ALTERNATIVES:
            raise InvalidInputError(
                f"alternatives must be between 1 and {MAX_ALTERNATIVES}", field="alternatives"
            )
        if self.start_time is not None:
            check_start_time(self.start_time)

    @classmethod
    def build(
        cls,
        *,
        start: GeoPoint,
        duration_minutes: float,
        preferences: Sequence[str] = (),
        end: GeoPoint | None = None,
        seed: int | None = None,
        pace_m_s: float | None = None,
        exclude: Sequence[str] = (),
        end_anywhere: bool = False,
        alternatives: int = 1,
        start_time: datetime | None = None,
    ) -> RouteSpec:
        """Normalise raw request values (themes in any order, optional fields) into a spec."""
        return cls(
            start=start,
            duration_minutes=float(duration_minutes),
            themes=tuple(sorted(set(preferences))),
            end=end,
            seed=0 if seed is None else seed,
            pace_m_s=DEFAULT_PACE_M_S if pace_m_s is None else float(pace_m_s),
            exclude=tuple(sorted(set(exclude))),
            end_anywhere=end_anywhere,
            alternatives=alternatives,
            start_time=start_time,
        )

    def to_document(self) -> dict[str, Any]:
        """The spec as plain JSON-ready data (how jobs carry it and how it is stored).

        ``exclude`` appears only when it names something, and ``end`` is the
        string ``"anywhere"`` only for such a tour, and ``alternatives`` appears
        only when it is not 1, and ``start_time`` (in UTC, so equal instants
        hash alike) only when given, so a spec without them
        hashes (idempotency, cache key) exactly as it did before they existed.
        """
        end: dict[str, float] | str | None = None
        if self.end is not None:
            end = {"lat": self.end.lat, "lng": self.end.lng}
        elif self.end_anywhere:
            end = END_ANYWHERE
        document: dict[str, Any] = {
            "start": {"lat": self.start.lat, "lng": self.start.lng},
            "end": end,
            "duration_minutes": self.duration_minutes,
            "preferences": list(self.themes),
            "seed": self.seed,
            "pace": self.pace_m_s,
        }
        if self.exclude:
            document["exclude"] = list(self.exclude)
        if self.alternatives != 1:
            document["alternatives"] = self.alternatives
        if self.start_time is not None:
            document["start_time"] = _utc_text(self.start_time)
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RouteSpec:
        """Inverse of :meth:`to_document`; raises ``InvalidInputError`` on bad data."""
        try:
            start = document["start"]
            end = document.get("end")
            anywhere = end == END_ANYWHERE
            return cls.build(
                start=GeoPoint(float(start["lat"]), float(start["lng"])),
                end=None
                if end is None or anywhere
                else GeoPoint(float(end["lat"]), float(end["lng"])),
                end_anywhere=anywhere,
                duration_minutes=float(document["duration_minutes"]),
                preferences=[str(t) for t in document.get("preferences", ())],
                seed=document.get("seed"),
                pace_m_s=document.get("pace"),
                exclude=[str(k) for k in document.get("exclude", ())],
                alternatives=int(document.get("alternatives", 1)),
                start_time=None
                if document.get("start_time") is None
                else parse_start_time(str(document["start_time"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"malformed route specification: {exc}") from exc

    def payload_hash(self) -> str:
        """SHA-256 of the canonical spec: what "same payload" means for idempotency keys."""
        return _sha256(canonical_json(self.to_document()))

    def cache_key(self, data_version: str, *, now: datetime) -> str:
        """``route:v2:<sha256>`` of the rounded spec, the map data version and, for "now", when.

        Canonical JSON (UTF-8, sorted keys, no whitespace), coordinates rounded
        to 5 decimals, themes sorted. The data version is part of the payload,
        so a new import never serves tours computed on older data. A spec
        without ``start_time`` starts ``now``: its key names the quarter hour
        (``start_window``, UTC), and the tour is planned open for every start in
        it, so a tour cached at 09:00 is never served at 22:00.
        """
        document = self.to_document()
        if self.start_time is None:
            document["start_window"] = _utc_text(quarter_hour(now))
        for name in ("start", "end"):
            point = document[name]
            if isinstance(point, dict):
                document[name] = {k: round(v, CACHE_DECIMALS) for k, v in point.items()}
        document["data_version"] = data_version
        return CACHE_NAMESPACE + _sha256(canonical_json(document))

    @property
    def is_round_trip(self) -> bool:
        """Whether the tour comes back to its start (no end point, not ending anywhere)."""
        return self.end is None and not self.end_anywhere

    @property
    def budget_s(self) -> float:
        """The time budget in seconds (walking plus dwelling)."""
        return self.duration_minutes * 60.0

    @property
    def max_walk_m(self) -> float:
        """How far the walker could go if they never stopped."""
        return self.budget_s * self.pace_m_s


def _check_exclude(keys: tuple[str, ...]) -> None:
    """Refuse an exclusion set that is unsorted, too long, or names no POI key."""
    if len(keys) > MAX_EXCLUDED:
        raise InvalidInputError(f"at most {MAX_EXCLUDED} places can be skipped", field="visited")
    if tuple(sorted(set(keys))) != keys:
        raise InvalidInputError("skipped places must be sorted and unique", field="visited")
    for key in keys:
        if not POI_KEY.match(key):
            raise InvalidInputError(
                "a skipped place is a stop id such as node/123", field="visited"
            )


def _utc_text(instant: datetime) -> str:
    """RFC 3339 in UTC with ``Z``: one text per instant, whatever offset it was written with."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def canonical_json(document: Any) -> bytes:
    """Stable JSON: UTF-8, sorted keys, no whitespace.

    Examples
    --------
    >>> canonical_json({"b": 1, "a": [1.5, "é"]})
    b'{"a":[1.5,"\\xc3\\xa9"],"b":1}'
    """
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
