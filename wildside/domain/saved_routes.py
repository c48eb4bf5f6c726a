"""Saved routes: a user's copy of a succeeded tour, its title, and its place in their list."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from wildside.domain.errors import ConflictError, InvalidInputError
from wildside.domain.route_result import RouteResult
from wildside.domain.route_spec import RouteSpec

MAX_TITLE_CHARS = 120
MAX_PAGE_SIZE = 100
_SPACES = re.compile(r"\s+")


class RouteNotSucceededError(ConflictError):
    """Only a succeeded request has a route to save."""

    code = "route-not-succeeded"

    def __init__(self, message: str, *, request_id: str) -> None:
        super().__init__(message)
        self.request_id = request_id


def clean_title(raw: str | None) -> str | None:
    """A title fit to store and show: NFC, no control or format characters, single spaces.

    ``None`` when nothing printable is left. Longer than ``MAX_TITLE_CHARS``
    is refused rather than cut, so a client never sees a title it did not send.

    Examples
    --------
    >>> clean_title("  Sunday\\t walk\\u200b by the\\x00 sea ")
    'Sunday walk by the sea'
    >>> clean_title(" \\n ") is None
    True
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFC", raw)
    # Cc controls, Cf format (zero-width, bidi overrides), Cs lone surrogates, Co, Cn.
    kept = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    title = _SPACES.sub(" ", kept).strip()
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInputError(f"a title is at most {MAX_TITLE_CHARS} characters", field="title")
    return title or None


@dataclass(frozen=True, slots=True)
class SavedRoutePosition:
    """Where a page of a user's saved routes ends: newest first, ties broken by id."""

    created_at: datetime
    saved_id: str

    def is_after(self, created_at: datetime, saved_id: str) -> bool:
        """Whether a route saved at ``created_at`` with ``saved_id`` comes after this one.

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> t = datetime(2026, 1, 1, tzinfo=UTC)
        >>> SavedRoutePosition(t, "b").is_after(t, "a")
        True
        """
        return (created_at, saved_id) < (self.created_at, self.saved_id)


@dataclass(frozen=True, slots=True)
class SavedRouteSummary:
    """A saved route as a list shows it: what was asked, how it came out, no geometry."""

    saved_id: str
    user_id: str
    request_id: str
    title: str | None
    spec: RouteSpec
    created_at: datetime
    distance_m: int
    stop_count: int
    used_s: float

    @property
    def position(self) -> SavedRoutePosition:
        """This route's place in its owner's list."""
        return SavedRoutePosition(self.created_at, self.saved_id)


@dataclass(frozen=True, slots=True)
class SavedRoute:
    """A saved route with the whole tour, as it was when saved."""

    summary: SavedRouteSummary
    result: RouteResult


def saved_route(
    *,
    saved_id: str,
    user_id: str,
    request_id: str,
    title: str | None,
    spec: RouteSpec,
    result: RouteResult,
    created_at: datetime,
) -> SavedRoute:
    """A new saved route, its summary figures taken from ``result``."""
    summary = SavedRouteSummary(
        saved_id=saved_id,
        user_id=user_id,
        request_id=request_id,
        title=title,
        spec=spec,
        created_at=created_at,
        distance_m=result.distance_m,
        stop_count=len(result.stops),
        used_s=result.used_s,
    )
    return SavedRoute(summary, result)
