"""``OverpassSource`` over aiohttp, run on one private event loop for synchronous workers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiohttp

from adapters.outbound.overpass.answer import RawAnswer, decode_answer
from adapters.outbound.system_clock import SystemClock
from wildside.domain.errors import UnavailableError
from wildside.ports.clock import Clock
from wildside.ports.overpass_source import (
    OverpassErrorKind,
    OverpassResponse,
    OverpassSource,
    OverpassSourceError,
)

T = TypeVar("T")

CHUNK_BYTES = 64 * 1024
ERROR_BODY_BYTES = 4096  # enough of an error page for the message; the rest is not read
# ``future.result`` waits this much longer than aiohttp's own total timeout, so a stuck
# loop still cannot hang a worker thread.
GRACE_S = 5.0
CLOSE_WAIT_S = 10.0


class AiohttpOverpassSource(OverpassSource):
    """POSTs Overpass QL with aiohttp from any number of threads.

    Nothing is opened at construction. The first ``fetch`` starts one daemon thread
    running a private event loop and one ``aiohttp.ClientSession`` on it; every
    later call from any thread reuses both. ``close()`` is final: a ``fetch`` after
    it raises ``UnavailableError`` (service ``"overpass"``) instead of silently
    starting a new loop that nobody would close.

    Parameters
    ----------
    user_agent
        Product and version, e.g. ``"wildside/0.1 (+https://example.org)"``.
    contact
        An e-mail address or URL sent as the ``Contact`` header.
    tenant_token
        Appended to the ``User-Agent`` as ``(tenant <token>)`` so abuse can be traced.
    timeout_s
        Total time allowed for one call, body included.
    connect_timeout_s
        Time allowed to obtain a connection (within ``timeout_s``).
    clock
        Reads an HTTP-date ``Retry-After`` when the answer has no ``Date`` header.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        contact: str,
        tenant_token: str | None,
        timeout_s: float,
        connect_timeout_s: float,
        clock: Clock | None = None,
    ) -> None:
        agent = f"{user_agent} (tenant {tenant_token})" if tenant_token else user_agent
        self._headers = {"User-Agent": agent, "Contact": contact, "Accept": "application/json"}
        self._timeout_s = timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: aiohttp.ClientSession | None = None  # touched on the loop only
        self._is_closed = False

    def fetch(self, endpoint: str, query: str, *, max_bytes: int) -> OverpassResponse:
        """POST ``query`` as the form field ``data``; read at most ``max_bytes`` of answer.

        The body is decoded on the calling thread, so a large JSON answer does not
        stall other threads' calls on the shared loop.

        Raises
        ------
        OverpassSourceError
            For every failure of the call; ``bytes_read`` says what was read.
        UnavailableError
            If the source was closed before or during the call.
        """
        future = self._submit(self._post(endpoint, query, max_bytes))
        try:
            answer = future.result(timeout=self._timeout_s + GRACE_S)
        except concurrent.futures.CancelledError as exc:
            raise _closed_error() from exc
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise OverpassSourceError(
                f"Overpass at {endpoint} did not answer within {self._timeout_s:g} s",
                kind=OverpassErrorKind.TIMEOUT,
            ) from exc
        return decode_answer(answer, now=self._clock.now())

    def close(self) -> None:
        """Cancel calls in flight, close the session and stop the loop; idempotent."""
        with self._lock:
            if self._is_closed:
                return
            self._is_closed = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return  # never used: nothing was opened
        shutdown = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        try:
            shutdown.result(timeout=CLOSE_WAIT_S)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=CLOSE_WAIT_S)

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        # Submitting under the lock orders every call before a concurrent close's
        # shutdown on the loop, so shutdown sees (and cancels) it.
        with self._lock:
            if self._is_closed:
                coroutine.close()
                raise _closed_error()
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=_run_forever, args=(self._loop,), name="overpass-aiohttp", daemon=True
                )
                self._thread.start()
            return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def _open_session(self) -> aiohttp.ClientSession:
        # Created on the loop (aiohttp binds a session to the running loop); no await
        # between the check and the assignment, so one session per source.
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self._timeout_s, connect=self._connect_timeout_s)
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=timeout)
        return self._session

    async def _post(self, endpoint: str, query: str, max_bytes: int) -> RawAnswer:
        """One call, every aiohttp exception translated here, at the edge."""
        body = bytearray()
        try:
            session = self._open_session()
            async with session.post(
                endpoint, data={"data": query}, allow_redirects=False
            ) as response:
                if response.status == 200:
                    await _read_capped(response, body, endpoint, max_bytes)
                else:  # a page of explanation; reading on would spend quota for nothing
                    await _read_capped(response, body, endpoint, min(max_bytes, ERROR_BODY_BYTES))
                headers = {name.lower(): value for name, value in response.headers.items()}
                return RawAnswer(endpoint, response.status, headers, bytes(body))
        except OverpassSourceError:
            raise
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutError subclasses
            raise _transport_error(endpoint, OverpassErrorKind.TIMEOUT, exc, body) from exc
        except aiohttp.InvalidURL as exc:
            raise _transport_error(endpoint, OverpassErrorKind.CLIENT_ERROR, exc, body) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise _transport_error(endpoint, OverpassErrorKind.CONNECTION, exc, body) from exc

    async def _shutdown(self) -> None:
        current = asyncio.current_task()
        calls = [task for task in asyncio.all_tasks() if task is not current]
        for task in calls:
            task.cancel()
        await asyncio.gather(*calls, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _read_capped(
    response: aiohttp.ClientResponse, body: bytearray, endpoint: str, max_bytes: int
) -> None:
    """Read into ``body`` until the end, or one byte past ``max_bytes`` (``TOO_LARGE``)."""
    declared = response.content_length
    if response.status == 200 and declared is not None and declared > max_bytes:
        response.close()  # refuse before a byte is read
        raise _too_large(endpoint, max_bytes, 0, response.status)
    while len(body) <= max_bytes:
        chunk = await response.content.read(min(CHUNK_BYTES, max_bytes + 1 - len(body)))
        if not chunk:
            return
        body += chunk
    if response.status != 200:
        del body[max_bytes:]  # error pages are only quoted: keep what was asked for
        response.close()
        return
    # One byte more than allowed proves the answer is too large; the connection is
    # dropped rather than drained, so no more of it is transferred.
    response.close()
    raise _too_large(endpoint, max_bytes, len(body), response.status)


def _too_large(endpoint: str, max_bytes: int, read: int, status: int) -> OverpassSourceError:
    return OverpassSourceError(
        f"Overpass at {endpoint} answered more than the {max_bytes} bytes allowed",
        kind=OverpassErrorKind.TOO_LARGE,
        status=status,
        bytes_read=read,
    )


def _transport_error(
    endpoint: str, kind: OverpassErrorKind, exc: BaseException, body: bytearray
) -> OverpassSourceError:
    reason = str(exc) or type(exc).__name__
    return OverpassSourceError(
        f"Overpass call to {endpoint} failed ({kind.value}): {reason}",
        kind=kind,
        bytes_read=len(body),
    )


def _closed_error() -> UnavailableError:
    return UnavailableError("the Overpass client is closed", service="overpass")


def _run_forever(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
