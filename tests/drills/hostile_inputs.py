"""Hostile inputs for the fuzz drills: edited cookies, odd headers and bodies, WebSocket frames."""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

from tests.drills.ledger import Ledger
from tests.drills.traffic import route_body

WS_MESSAGES = 400


def cookie_edits(cookie: str, rng: random.Random, count: int) -> list[str]:
    """One-character edits (replace, delete, insert) at random places, and whole odd values."""
    alphabet = string.ascii_letters + string.digits + '-_=+/.;,"\\ %\x7f'
    edits = []
    for _ in range(count):
        at = rng.randrange(len(cookie))
        kind = rng.choice(("replace", "delete", "insert"))
        char = rng.choice(alphabet)
        if kind == "replace":
            edits.append(cookie[:at] + char + cookie[at + 1 :])
        elif kind == "delete":
            edits.append(cookie[:at] + cookie[at + 1 :])
        else:
            edits.append(cookie[:at] + char + cookie[at:])
    padded = base64.urlsafe_b64encode(b"\x00" * 64).decode()
    return [
        *edits,
        "",
        "null",
        cookie[: len(cookie) // 2],
        cookie + cookie,
        cookie * 40,
        padded,
        base64.b64encode(json.dumps({"user_id": "x", "expires_at": 9e99}).encode()).decode(),
        "\u00e9\u00e9\u00e9",
        "a" * 8000,
        cookie[::-1],
    ]


def hostile_headers(token: str, rng: random.Random) -> list[list[tuple[str, str | bytes]]]:
    """Header sets a careless or hostile client sends."""
    junk = "".join(rng.choice(string.printable[:94]) for _ in range(200))
    return [
        [("Authorization", "Bearer")],
        [("Authorization", "Bearer ")],
        [("Authorization", "Basic dXNlcjpwYXNz")],
        [("Authorization", f"Bearer {token[:-1]}")],
        [("Authorization", f"Bearer {token}x")],
        [("Authorization", f"bearer {token} extra")],
        [("Authorization", "Bearer " + "A" * 10_000)],
        [("Authorization", b"Bearer \xff\xfe\xfd")],
        [("Authorization", f"Bearer {junk}")],
        [("Authorization", f"Bearer {token}"), ("Authorization", "Bearer other")],
        [("Authorization", f"Bearer {token}"), ("X-Request-ID", "x" * 5000)],
        [("Authorization", f"Bearer {token}"), ("X-Request-ID", b"\xff\xfebad")],
        [("Authorization", f"Bearer {token}"), ("traceparent", "00-zz-yy-01")],
        [("Authorization", f"Bearer {token}"), ("traceparent", "0" * 3000)],
        [
            ("Authorization", f"Bearer {token}"),
            ("Content-Type", "application/json; charset=ebcdic"),
        ],
        [("Authorization", f"Bearer {token}"), ("Accept", "*/*;q=nan")],
        [("Authorization", f"Bearer {token}"), ("Origin", "http://evil.example")],
        [("Authorization", f"Bearer {token}"), ("Cookie", "session=; session=;;; =x")],
        [("Authorization", f"Bearer {token}"), ("Cookie", b"session=\xff\xfe")],
        [("Cookie", "=" * 100)],
        [("Cookie", "session")],
        [("Cookie", "session=" + "%" * 300)],
    ]


# Not HTTP at all (a NUL or a bare CR in a header): uvicorn's parser answers its own
# plain-text 400 before any application code runs; these need only stay under 500.
INVALID_HTTP: list[list[tuple[str, str | bytes]]] = [
    [("X-Request-ID", b"bad\x00id")],
    [("Cookie", b"session=\x00")],
    [("Authorization", b"Bearer \x01wst_x")],
]


def hostile_bodies(ledger: Ledger, rng: random.Random) -> list[tuple[str, bytes]]:
    """(content type, body) pairs for POST: hostile JSON, not JSON, lax types."""
    good = route_body(ledger, rng)
    return [
        ("application/json", b"[" * 1000 + b"]" * 1000),
        ("application/json", b'{"start": ' * 1000 + b"1" + b"}" * 1000),
        ("application/json", b'{"start": {"lat": 60.17, "lng": 24.94}, "x": "\xff\xfe"}'),
        ("application/json", b"\xef\xbb\xbf" + json.dumps(good).encode()),
        ("application/json", json.dumps({**good, "duration_minutes": "60"}).encode()),
        (
            "application/json",
            json.dumps({**good, "start": {"lat": "60.17", "lng": 24.94}}).encode(),
        ),
        ("application/json", json.dumps({**good, "duration_minutes": 1e400}).encode()),
        ("application/json", b'{"duration_minutes": NaN, "start": {"lat": Infinity, "lng": 1}}'),
        ("application/json", json.dumps({**good, "seed": 2**200}).encode()),
        ("application/json", b'"\\ud800"'),
        ("application/json", b"{" + b'"a":1,' * 2000 + b'"b":2}'),
        ("application/json", b""),
        ("text/plain", b"hello"),
        ("application/json", b"\x00" * 64),
        # NUL inside JSON strings: valid JSON, but PostgreSQL text cannot hold it.
        (
            "application/json",
            json.dumps({"username": "drill\u0000", "password": "x" * 12}).encode(),
        ),
        (
            "application/json",
            json.dumps({"username": "drill", "password": "pass\u0000word"}).encode(),
        ),
        ("application/json", json.dumps({**good, "preferences": ["art\u0000"]}).encode()),
    ]


def ws_frames(rng: random.Random) -> list[str | bytes]:
    """Client frames: valid, nearly valid, hostile."""
    ids = [str(uuid.uuid4()), "", "not-a-uuid", "../../etc/passwd", "x" * 3000, "\u0000", "\ud7ff"]
    shapes: list[object] = [
        {"type": "subscribe", "channel": "route_generation_status", "request_id": rng.choice(ids)},
        {
            "type": "unsubscribe",
            "channel": "route_generation_status",
            "request_id": rng.choice(ids),
        },
        {"type": "subscribe", "channel": "other", "request_id": str(uuid.uuid4())},
        {
            "type": "SUBSCRIBE",
            "channel": "route_generation_status",
            "request_id": str(uuid.uuid4()),
        },
        {"type": "subscribe", "channel": "route_generation_status"},
        {"type": "subscribe", "channel": "route_generation_status", "request_id": 7},
        {"type": "subscribe", "channel": "route_generation_status", "request_id": None, "x": 1},
        {"type": ["subscribe"]},
        [],
        None,
        "subscribe",
        1e308,
        {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
    ]
    frames: list[str | bytes] = [json.dumps(rng.choice(shapes)) for _ in range(WS_MESSAGES)]
    frames += [
        "{",
        "",
        "[" * 5000 + "]" * 5000,
        "\u00e9" * 4097,
        b"\x00\x01binary",
        b"\xff\xfe",
        json.dumps(
            {"type": "subscribe", "channel": "route_generation_status", "request_id": "y" * 5000}
        ),
    ]
    rng.shuffle(frames)
    return frames
