"""Use case: places near me: rate limit, then one page of places, scored as tours score them."""

from __future__ import annotations

from dataclasses import dataclass

from wildside.domain.accounts import User
from wildside.domain.errors import RateLimitedError
from wildside.domain.places import PlacePosition, PlaceQuery, decode_cursor, encode_cursor
from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy
from wildside.domain.scoring import ScoredPoi, score_poi, theme_weights
from wildside.ports.place_directory import PlaceDirectory, PlaceSearch
from wildside.ports.rate_limiter import RateLimiter


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacesSettings:
    """Each user's quota of place queries (see ``docs/operations.md``); from settings."""

    rate_limit: RateLimitPolicy


@dataclass(frozen=True, slots=True)
class PlacePage:
    """One page of places, best first; ``next_cursor`` is ``None`` on the last page."""

    places: list[ScoredPoi]
    next_cursor: str | None
    rate: RateLimitDecision


class FindPlaces:
    """Answers "what is worth seeing around here?" from the stored places."""

    def __init__(
        self, *, directory: PlaceDirectory, limiter: RateLimiter, settings: PlacesSettings
    ) -> None:
        self._directory = directory
        self._limiter = limiter
        self._settings = settings

    def __call__(self, user: User, query: PlaceQuery, cursor: str | None = None) -> PlacePage:
        """The page of ``query``'s places after ``cursor`` (the first page without one).

        Scores are :func:`~wildside.domain.scoring.score_poi`'s with the
        query's themes as preferences, as a tour would score the place before
        its diversity decay (which depends on the other stops). With themes
        every place listed matches one of them and without them every place
        counts the same neutral match, so the score only grows with
        popularity: the directory's order is the score's, and the places
        under ``min_score`` are a tail of it, which ends the listing.

        Raises
        ------
        InvalidCursorError
            ``cursor`` was altered or belongs to another query (nothing counted).
        RateLimitedError
            The user's quota of place queries is used up.
        """
        after = None if cursor is None else decode_cursor(cursor, query)
        rate = self._limiter.hit(f"places:{user.id}", self._settings.rate_limit)
        if not rate.is_allowed:
            raise RateLimitedError(
                f"rate limit of {rate.limit} place queries per "
                f"{self._settings.rate_limit.period_s:g} s reached; "
                f"retry in {rate.retry_after_s} s",
                retry_after_s=rate.retry_after_s,
                limit=rate.limit,
                reset_s=rate.reset_s,
            )
        # One more than a page: whether it exists says whether a next page does.
        search = PlaceSearch(query.area, query.themes, query.limit + 1, after)
        weights = theme_weights(query.themes)
        scored = [score_poi(poi, weights) for poi in self._directory.find(search)]
        kept = [place for place in scored if place.score >= query.min_score]
        page = kept[: query.limit]
        has_more = len(kept) > query.limit
        next_cursor = encode_cursor(PlacePosition.of(page[-1].poi), query) if has_more else None
        return PlacePage(page, next_cursor, rate)
