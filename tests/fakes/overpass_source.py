"""A scripted ``OverpassSource``: each call takes the next answer or error from a list."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from wildside.ports.osm_extract_source import TaggedFeature
from wildside.ports.overpass_source import (
    OverpassErrorKind,
    OverpassResponse,
    OverpassSource,
    OverpassSourceError,
)

HELSINKI_PLACES = [
    TaggedFeature("node", 9001, 60.1705, 24.9413, {"tourism": "museum", "name": "Ateneum"}),
    TaggedFeature("node", 9002, 60.1690, 24.9520, {"historic": "memorial", "name": "Runeberg"}),
    TaggedFeature("way", 9003, 60.1740, 24.9390, {"leisure": "park", "name": "Kaisaniemi"}),
    TaggedFeature("node", 9004, 60.1710, 24.9450, {"amenity": "bench"}),  # not a place
]


def failure(kind: OverpassErrorKind, status: int | None = None) -> OverpassSourceError:
    """An error as the real adapter would raise it."""
    return OverpassSourceError(f"scripted {kind.value}", kind=kind, status=status)


@dataclass
class ScriptedOverpassSource(OverpassSource):
    """Answers from ``script`` in order, then ``default`` forever; records every call."""

    script: list[OverpassResponse | OverpassSourceError] = field(default_factory=list)
    default: OverpassResponse | OverpassSourceError = field(
        default_factory=lambda: OverpassResponse(list(HELSINKI_PLACES), 2048, 200)
    )
    calls: list[tuple[str, str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch(self, endpoint: str, query: str, *, max_bytes: int) -> OverpassResponse:
        """Record the call; answer or raise as scripted (oversized answers become too_large)."""
        with self.lock:
            self.calls.append((endpoint, query, max_bytes))
            answer = self.script.pop(0) if self.script else self.default
        if isinstance(answer, OverpassSourceError):
            raise answer
        if answer.bytes_read > max_bytes:
            raise OverpassSourceError(
                "answer over the byte cap", kind=OverpassErrorKind.TOO_LARGE, bytes_read=max_bytes
            )
        return answer
