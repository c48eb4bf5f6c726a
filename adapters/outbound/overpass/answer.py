"""Reading one Overpass answer (status, headers, body) into a response or a port error."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from wildside.domain.map_data import ElementType
from wildside.ports.osm_extract_source import TaggedFeature
from wildside.ports.overpass_source import OverpassErrorKind, OverpassResponse, OverpassSourceError

_ELEMENT_TYPES: frozenset[str] = frozenset({"node", "way", "relation"})
# Overpass answers 200 and puts the failure in ``remark`` when the query hits its own
# [timeout:] or [maxsize:] mid-way; the elements are then a truncated prefix.
_TIMED_OUT = ("timed out",)
_FAILED = ("runtime error", "out of memory")
_INLINE_TAG = re.compile(r"</?(?:strong|em|b|i|a|span|code)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """What came over the wire: status, headers (lower-case names), the body read so far."""

    endpoint: str
    status: int
    headers: Mapping[str, str]
    body: bytes


def decode_answer(answer: RawAnswer, *, now: datetime) -> OverpassResponse:
    """Turn a complete answer into an ``OverpassResponse`` or raise ``OverpassSourceError``.

    ``now`` is only used to read an HTTP-date ``Retry-After`` when the answer has no
    ``Date`` header (the server's own clock is preferred: no skew).

    Examples
    --------
    >>> from datetime import UTC
    >>> body = b'{"elements": [{"type": "node", "id": 1, "lat": 1.5, "lon": 2.5,'
    >>> body += b' "tags": {"amenity": "cafe"}}]}'
    >>> decode_answer(RawAnswer("e", 200, {}, body), now=datetime.now(UTC)).elements[0].lng
    2.5
    """
    read = len(answer.body)
    if answer.status != 200:
        raise _status_error(answer, now)
    try:
        document = json.loads(answer.body)
        if not isinstance(document, dict) or not isinstance(document.get("elements"), list):
            raise ValueError("no 'elements' list")
        remark = document.get("remark")
        kind = remark_kind(remark) if isinstance(remark, str) else None
        if kind is not None:
            raise OverpassSourceError(
                f"Overpass at {answer.endpoint} gave up on the query: {remark}",
                kind=kind,
                status=200,
                bytes_read=read,
            )
        features = [f for f in map(_feature, document["elements"]) if f is not None]
    except (ValueError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
        raise OverpassSourceError(
            f"Overpass at {answer.endpoint} answered 200 with a body that is not Overpass JSON:"
            f" {exc}",
            kind=OverpassErrorKind.MALFORMED,
            status=200,
            bytes_read=read,
        ) from exc
    return OverpassResponse(elements=features, bytes_read=read, status=200)


def remark_kind(remark: str) -> OverpassErrorKind | None:
    """The error a ``remark`` reports, or ``None`` for informational remarks.

    A query that ran out of time is a ``TIMEOUT`` (the port's "no complete answer in
    time"); running out of memory or any other runtime error is a ``SERVER_ERROR``.
    Both are retryable: Overpass hits these limits far sooner when it is loaded.

    Examples
    --------
    >>> remark_kind('runtime error: Query timed out in "query" at line 3 after 181 seconds.')
    <OverpassErrorKind.TIMEOUT: 'timeout'>
    >>> remark_kind("runtime error: Query run out of memory using about 2048 MB of RAM.")
    <OverpassErrorKind.SERVER_ERROR: 'server_error'>
    >>> remark_kind("runtime remark: Timeout is 180 and maxsize is 536870912.") is None
    True
    """
    text = remark.lower()
    if any(marker in text for marker in _TIMED_OUT):
        return OverpassErrorKind.TIMEOUT
    if any(marker in text for marker in _FAILED):
        return OverpassErrorKind.SERVER_ERROR
    return None


def status_kind(status: int) -> OverpassErrorKind:
    """The error kind of a non-200 status.

    Redirects count as client errors: the configured endpoint is not the interpreter
    (redirects are not followed, since a POST body does not survive 301/302).

    Examples
    --------
    >>> [status_kind(s).value for s in (429, 503, 599, 400, 301, 204)]
    ['rate_limited', 'server_error', 'server_error', 'client_error', 'client_error', 'malformed']
    """
    if status == 429:
        return OverpassErrorKind.RATE_LIMITED
    if status >= 500:
        return OverpassErrorKind.SERVER_ERROR
    if status >= 300:
        return OverpassErrorKind.CLIENT_ERROR
    return OverpassErrorKind.MALFORMED


def retry_after_s(value: str | None, *, date: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date).

    Examples
    --------
    >>> from datetime import UTC
    >>> retry_after_s("7", date=None, now=datetime.now(UTC))
    7.0
    >>> retry_after_s(
    ...     "Wed, 21 Oct 2026 07:28:30 GMT",
    ...     date="Wed, 21 Oct 2026 07:28:00 GMT",
    ...     now=datetime.now(UTC),
    ... )
    30.0
    >>> retry_after_s("soon", date=None, now=datetime.now(UTC)) is None
    True
    """
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    retry_at = _http_date(value)
    if retry_at is None:
        return None
    reference = _http_date(date) if date else None
    return max(0.0, (retry_at - (reference or now)).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None  # "-0000" dates are naive


def _status_error(answer: RawAnswer, now: datetime) -> OverpassSourceError:
    kind = status_kind(answer.status)
    retry_after = None
    if kind is OverpassErrorKind.RATE_LIMITED:
        retry_after = retry_after_s(
            answer.headers.get("retry-after"), date=answer.headers.get("date"), now=now
        )
    detail = snippet(answer.body)
    return OverpassSourceError(
        f"Overpass at {answer.endpoint} answered {answer.status}"
        + (f": {detail}" if detail else ""),
        kind=kind,
        status=answer.status,
        retry_after_s=retry_after,
        bytes_read=len(answer.body),
    )


def snippet(body: bytes, limit: int = 200) -> str:
    """The start of an error page as one line of text (Overpass answers errors in HTML).

    Examples
    --------
    >>> snippet(b"<p><strong>Error</strong>: line 1: parse error</p>")
    'Error: line 1: parse error'
    """
    text = body[: limit * 8].decode("utf-8", "replace")
    text = _TAG.sub(" ", _INLINE_TAG.sub("", text))
    return " ".join(text.split())[:limit]


def _feature(element: Any) -> TaggedFeature | None:
    """One element as a feature; ``None`` when it has no tags or no position."""
    if not isinstance(element, dict):
        raise TypeError(f"element is {type(element).__name__}, not an object")
    kind = element.get("type")
    tags = element.get("tags")
    if kind not in _ELEMENT_TYPES or not tags:
        return None  # untagged members, or "area"/"count" rows: nothing to place
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise TypeError(f"{kind} {element.get('id')} has tags that are not strings")
    # ``out center``: nodes carry lat/lon, ways and relations a ``center`` object.
    where = element if kind == "node" else element.get("center")
    if not isinstance(where, dict) or where.get("lat") is None or where.get("lon") is None:
        return None
    element_type: ElementType = kind
    return TaggedFeature(
        element_type=element_type,
        osm_id=_integer(element.get("id")),
        lat=_number(where["lat"]),
        lng=_number(where["lon"]),
        tags=dict(tags),
    )


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"element id {value!r} is not an integer")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"coordinate {value!r} is not a number")
    return float(value)
