"""Canned Overpass answers for the fake server: a small Helsinki payload, errors, remarks."""

from __future__ import annotations

import json

# What ``out center tags;`` returns: nodes with lat/lon, ways and relations with a
# ``center``; plus the two elements an adapter must skip (no tags, no position).
SUCCESS_ELEMENTS: list[dict[str, object]] = [
    {
        "type": "node",
        "id": 2202095,
        "lat": 60.1703,
        "lon": 24.9441,
        "tags": {"name": "Ateneum", "tourism": "museum", "wikidata": "Q754507"},
    },
    {
        "type": "node",
        "id": 3000001,
        "lat": 60.1675,
        "lon": 24.947,
        "tags": {"historic": "memorial", "memorial": "statue", "name": "J. L. Runeberg"},
    },
    {"type": "node", "id": 555, "lat": 60.1701, "lon": 24.9402},  # untagged: skipped
    {
        "type": "way",
        "id": 23712222,
        "center": {"lat": 60.1677, "lon": 24.9485},
        "nodes": [1, 2, 3],
        "tags": {"leisure": "park", "name": "Esplanadi"},
    },
    {"type": "way", "id": 24000001, "tags": {"tourism": "artwork"}},  # no centre: skipped
    {
        "type": "relation",
        "id": 1234567,
        "center": {"lat": 60.1454, "lon": 24.9881},
        "tags": {"type": "multipolygon", "historic": "fort", "name": "Suomenlinna"},
    },
]
OSM3S = {"timestamp_osm_base": "2026-11-30T10:00:00Z", "copyright": "OpenStreetMap contributors"}
HTML_ERROR = "<html><body><p><strong>Error</strong>: line 1: parse error: {}</p></body></html>"
REMARKS = {
    "remark_timeout": 'runtime error: Query timed out in "query" at line 3 after 181 seconds.',
    "remark_memory": "runtime error: Query run out of memory using about 2048 MB of RAM.",
    "remark_info": "runtime remark: Timeout is 180 and maxsize is 536870912.",
}


def success_body(elements: list[dict[str, object]] = SUCCESS_ELEMENTS, **extra: object) -> bytes:
    """The exact bytes a ``success`` (or remark) answer carries, for byte-count assertions."""
    document = {"version": 0.6, "generator": "fake-overpass", "osm3s": OSM3S}
    return json.dumps({**document, "elements": elements, **extra}).encode()


def canned(mode: str) -> tuple[int, str, bytes, dict[str, str]]:
    """Status, content type, body and headers of a mode answered in one piece.

    Examples
    --------
    >>> canned("rate_limited")[0], canned("rate_limited")[3]
    (429, {'Retry-After': '7'})
    """
    json_type = "application/json"
    answers = {
        "rate_limited": (429, "text/plain", b"rate_limited: see /api/status", {"Retry-After": "7"}),
        "server_error": (
            503,
            "text/plain",
            b"Dispatcher_Client::request_read_and_idx::timeout",
            {},
        ),
        "bad_request": (400, "text/html", HTML_ERROR.format("unknown type 'nwx'").encode(), {}),
        "malformed": (200, json_type, b'{"elements": [ {"type": "node", ', {}),
        "wrong_shape": (200, json_type, b'{"version": 0.6, "elements": {}}', {}),
        # Overpass keeps the elements it had collected, then says why it stopped.
        "remark_timeout": (200, json_type, _cut_short("remark_timeout"), {}),
        "remark_memory": (200, json_type, _cut_short("remark_memory"), {}),
        "remark_info": (200, json_type, success_body(remark=REMARKS["remark_info"]), {}),
    }
    return answers.get(mode, (200, json_type, success_body(), {}))


def _cut_short(mode: str) -> bytes:
    return success_body(SUCCESS_ELEMENTS[:2], remark=REMARKS[mode])
