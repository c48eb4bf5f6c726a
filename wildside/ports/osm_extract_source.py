"""OSM extract source port: streams POI candidates and the walking network out of a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.map_data import ElementType, WalkEdge, WalkNode

WayFilter = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True, slots=True)
class TaggedFeature:
    """An OSM object carrying POI-like tags, already placed at one point.

    Ways and relations are placed at a point on their surface (or on their
    line), never at their first node.
    """

    element_type: ElementType
    osm_id: int
    lat: float
    lng: float
    tags: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ExtractChunk:
    """A bounded slice of an extract, small enough to stage in one go."""

    features: Sequence[TaggedFeature] = field(default_factory=tuple)
    nodes: Sequence[WalkNode] = field(default_factory=tuple)
    edges: Sequence[WalkEdge] = field(default_factory=tuple)

    @property
    def size(self) -> int:
        """Number of records in the chunk."""
        return len(self.features) + len(self.nodes) + len(self.edges)


class OsmExtractError(WildsideError):
    """The extract could not be read: missing, not a PBF, or truncated."""

    code = "osm-extract-unreadable"

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


class OsmExtractSource(Protocol):
    """Reads an OpenStreetMap extract as bounded chunks."""

    def read(
        self,
        path: Path,
        *,
        poi_keys: Sequence[str],
        is_walkable: WayFilter,
        chunk_size: int,
    ) -> Iterator[ExtractChunk]:
        """Yield POI candidates and walking network chunks of at most ``chunk_size`` records.

        Only objects carrying at least one of ``poi_keys`` are yielded as
        features; only ways accepted by ``is_walkable`` enter the network,
        split into edges at every node shared with another walkable way.

        Raises
        ------
        OsmExtractError
            If the file is missing, is not a PBF, or ends early. The error may
            come after some chunks were yielded, so callers must stage chunks
            and only commit once iteration ends normally.
        """
        ...
