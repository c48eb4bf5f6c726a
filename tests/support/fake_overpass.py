"""A scriptable fake Overpass API on loopback: in a thread for tests, or as its own process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qs

from aiohttp import web

from tests.support.overpass_payloads import canned

INTERPRETER = "/api/interpreter"
MODES = (
    "success",  # 200 with SUCCESS_ELEMENTS
    "rate_limited",  # 429 with Retry-After: 7 (``headers`` override it)
    "server_error",  # 503 (``status`` picks another 5xx)
    "bad_request",  # 400 with an Overpass-style HTML error (``status`` picks another 4xx)
    "slow",  # answers after ``slow_s``, longer than any client timeout in the tests
    "oversized",  # 200 with a body of ``size`` bytes, streamed
    "malformed",  # 200 with a body that is not JSON
    "wrong_shape",  # 200 with JSON that has no "elements" list
    "remark_timeout",  # 200, elements cut short, remark "Query timed out"
    "remark_memory",  # 200, elements cut short, remark "Query run out of memory"
    "remark_info",  # 200, every element, an informational "runtime remark"
)


@dataclass(frozen=True)
class Reply:
    """How to answer one call: a mode from ``MODES`` plus its knobs."""

    mode: str = "success"
    delay_s: float = 0.0  # held in flight this long first (concurrency probes)
    status: int | None = None  # overrides the mode's status
    headers: Mapping[str, str] = field(default_factory=dict)  # added to (or replacing) the mode's
    size: int = 1 << 20  # ``oversized``: body bytes
    is_length_declared: bool = False  # ``oversized``: send Content-Length up front

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown fake Overpass mode {self.mode!r}; known: {MODES}")


@dataclass(frozen=True)
class RecordedRequest:
    """One call as the server saw it; ``query`` is the form field ``data``."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: str | None


class FakeOverpass:
    """A fake Overpass interpreter with a default reply and a queue of per-call replies.

    Also serves ``GET /_stats`` (``{"calls": n, "max_in_flight": m}``) and ``POST
    /_mode`` (JSON ``{"mode": ..., "delay_s": ...}`` sets the default reply).

    Examples
    --------
    >>> with FakeOverpass() as fake:  # doctest: +SKIP
    ...     fake.script("rate_limited", Reply("success", delay_s=0.2))
    ...     source.fetch(fake.url, query, max_bytes=10_000)
    """

    def __init__(
        self,
        *,
        mode: str = "success",
        delay_s: float = 0.0,
        slow_s: float = 30.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.default = Reply(mode, delay_s=delay_s)
        self.slow_s = slow_s
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self._script: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._stopping = asyncio.Event()  # wakes ``slow`` replies at shutdown
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The interpreter endpoint, as an ``OverpassSource`` expects it."""
        return f"http://{self.host}:{self.port}{INTERPRETER}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every interpreter call so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def calls(self) -> int:
        """How many interpreter calls arrived."""
        with self._lock:
            return len(self._requests)

    @property
    def max_in_flight(self) -> int:
        """The most interpreter calls that were being answered at one moment."""
        with self._lock:
            return self._max_in_flight

    def script(self, *replies: Reply | str) -> None:
        """Queue replies for the next calls, in order; then the default applies again."""
        with self._lock:
            self._script.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def set_default(self, reply: Reply | str) -> None:
        """Answer every call that has no scripted reply this way."""
        with self._lock:
            self.default = reply if isinstance(reply, Reply) else Reply(reply)

    def app(self) -> web.Application:
        """The aiohttp application (``main`` serves it with ``web.run_app``)."""
        app = web.Application()
        app.router.add_post(INTERPRETER, self._interpreter)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_mode", self._set_mode)
        app.on_shutdown.append(self._on_shutdown)
        return app

    def start(self) -> FakeOverpass:
        """Serve on a private loop in a daemon thread; returns once the port is bound."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        """Wake slow replies, close the server, stop the loop and its thread."""
        if self._loop is None or self._thread is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = self._runner = None

    def __enter__(self) -> FakeOverpass:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _on_shutdown(self, _app: web.Application) -> None:
        self._stopping.set()

    async def _interpreter(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        query = parse_qs(body.decode("utf-8", "replace")).get("data", [None])[0]
        recorded = RecordedRequest(request.method, request.path, dict(request.headers), body, query)
        with self._lock:
            self._requests.append(recorded)
            reply = self._script.popleft() if self._script else self.default
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            await self._pause(reply.delay_s)
            return await self._answer(reply, request)
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _answer(self, reply: Reply, request: web.Request) -> web.StreamResponse:
        if reply.mode == "slow":
            await self._pause(self.slow_s)
        if reply.mode == "oversized":
            return await self._oversized(reply, request)
        status, content_type, body, headers = canned(reply.mode)
        return web.Response(
            status=reply.status or status,
            body=body,
            content_type=content_type,
            headers={**headers, **reply.headers},
        )

    async def _oversized(self, reply: Reply, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=reply.status or 200, headers=dict(reply.headers))
        response.content_type = "application/json"
        if reply.is_length_declared:
            response.content_length = reply.size
        await response.prepare(request)
        chunk = b" " * 65536
        try:
            for start in range(0, reply.size, len(chunk)):
                await response.write(chunk[: reply.size - start])
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client stopped reading at its byte cap, as it should
        return response

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _stats(self, _request: web.Request) -> web.Response:
        with self._lock:
            stats = {"calls": len(self._requests), "max_in_flight": self._max_in_flight}
        return web.json_response(stats)

    async def _set_mode(self, request: web.Request) -> web.Response:
        wanted = await request.json()
        try:
            reply = Reply(str(wanted["mode"]), delay_s=float(wanted.get("delay_s", 0.0)))
        except (KeyError, ValueError, TypeError) as exc:
            raise web.HTTPBadRequest(text=str(exc)) from exc
        self.set_default(reply)
        return web.json_response({"mode": reply.mode, "delay_s": reply.delay_s})


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, printing nothing (a stand-in for multi-process tests)."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.fake_overpass")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=MODES, default="success")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each call is held")
    parser.add_argument("--slow", type=float, default=30.0, help="seconds a 'slow' call takes")
    args = parser.parse_args(argv)
    fake = FakeOverpass(
        mode=args.mode, delay_s=args.delay, slow_s=args.slow, host=args.host, port=args.port
    )
    web.run_app(
        fake.app(),
        host=args.host,
        port=args.port,
        print=None,
        access_log=None,
        shutdown_timeout=1.0,
    )


if __name__ == "__main__":
    main()
