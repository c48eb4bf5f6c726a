"""Place directory port: the public places inside an area, most popular first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.places import Area, PlacePosition
from wildside.domain.scoring import Poi


@dataclass(frozen=True, slots=True)
class PlaceSearch:
    """Up to ``limit`` places in ``area`` carrying any of ``themes`` (any place when empty).

    ``after`` is where the previous page ended: only places listed after it
    are wanted (keyset paging, so a page costs the same wherever it is).
    """

    area: Area
    themes: tuple[str, ...]
    limit: int
    after: PlacePosition | None = None


class PlaceDirectoryError(WildsideError):
    """The place store failed to answer."""

    code = "place-directory-error"


class PlaceDirectory(Protocol):
    """Reads places by area, in the listing's order."""

    def find(self, search: PlaceSearch) -> list[Poi]:
        """The places ``search`` asks for, ordered by :class:`PlacePosition`.

        That is popularity descending, then OSM type, then OSM id; a circle's
        radius is measured on the ground, a box's edges are parallels and
        meridians.
        """
        ...
