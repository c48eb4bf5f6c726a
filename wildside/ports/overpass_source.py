"""Overpass source port: run one Overpass QL query against one endpoint."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.ports.osm_extract_source import TaggedFeature


class OverpassErrorKind(enum.StrEnum):
    """Why a call failed; decides retries and breaker accounting."""

    RATE_LIMITED = "rate_limited"  # HTTP 429
    SERVER_ERROR = "server_error"  # HTTP 5xx
    TIMEOUT = "timeout"  # no complete answer in time
    CONNECTION = "connection"  # refused, reset, DNS
    CLIENT_ERROR = "client_error"  # other 4xx: our query is wrong
    MALFORMED = "malformed"  # 200 with a body that is not Overpass JSON
    TOO_LARGE = "too_large"  # the body outgrew the byte cap

    @property
    def is_retryable(self) -> bool:
        """Whether trying again (later, or elsewhere) can help."""
        return self in _RETRYABLE

    @property
    def counts_against_endpoint(self) -> bool:
        """Whether the endpoint's circuit breaker should count it as a failure."""
        return self in _RETRYABLE


_RETRYABLE = frozenset(
    {
        OverpassErrorKind.RATE_LIMITED,
        OverpassErrorKind.SERVER_ERROR,
        OverpassErrorKind.TIMEOUT,
        OverpassErrorKind.CONNECTION,
    }
)


class OverpassSourceError(WildsideError):
    """A failed Overpass call, with the facts the policy needs."""

    code = "overpass-error"

    def __init__(
        self,
        message: str,
        *,
        kind: OverpassErrorKind,
        status: int | None = None,
        retry_after_s: float | None = None,
        bytes_read: int = 0,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after_s = retry_after_s
        self.bytes_read = bytes_read
        self.is_retryable = kind.is_retryable


@dataclass(frozen=True, slots=True)
class OverpassResponse:
    """What one successful call returned."""

    elements: list[TaggedFeature] = field(default_factory=list)
    bytes_read: int = 0
    status: int = 200


class OverpassSource(Protocol):
    """Talks to Overpass API servers."""

    def fetch(self, endpoint: str, query: str, *, max_bytes: int) -> OverpassResponse:
        """POST ``query`` to ``endpoint``; read at most ``max_bytes`` of answer.

        Nodes are placed at their position, ways and relations at the centre
        Overpass reports (``out center``). Raises ``OverpassSourceError``.
        """
        ...
