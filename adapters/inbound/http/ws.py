"""``GET /ws``: follow your route requests' status (the seed's schema), and get live guidance.

Security at this edge (``docs/api.md`` has the client's view):

- a socket that would authenticate by the session cookie is refused before
  it is accepted unless its ``Origin`` is the request's own or an allowed one
  (cross-site WebSocket hijacking); bearer sockets carry their credential
  themselves and are not checked;
- the credential is checked again at every ``subscribe`` and, while the
  socket follows anything, every ``ws_auth_recheck_s`` seconds: a revoked
  token or an ended session gets an ``unauthenticated`` error and the socket
  is closed with 4401, so its subscriptions end within that bound; a socket
  that walks (sends ``location`` messages) is re-checked the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Literal

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from adapters.inbound.http.auth import offered_bearer_token, socket_user_again, websocket_user
from adapters.inbound.http.origins import is_allowed_origin
from adapters.inbound.http.state import services_of, settings_of
from adapters.inbound.http.ws_guidance import (
    LocationMessage,
    answer_location,
    is_location,
    location_decoder,
)
from wildside.domain.accounts import User
from wildside.domain.errors import AuthenticationError, NotFoundError, WildsideError

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 32  # per connection: a client follows its own few requests
MAX_MESSAGE_CHARS = 4_096  # a subscribe message is about 120 characters
MAX_DETAIL_CHARS = 200  # error details quote the decoder, never a whole message
CLOSE_UNAUTHENTICATED = 4401  # before accept: handshake refused (HTTP 403); after: credential gone
CLOSE_POLICY_VIOLATION = 1008  # before accept: a cookie socket from another origin's page
CLOSE_TRY_AGAIN_LATER = 1013  # before accept: the accounts could not be read
# What a socket may still be doing when it loses its peer mid-send.
_SEND_FAILED = (WebSocketDisconnect, RuntimeError, OSError)


class ClientMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{"type": "subscribe"|"unsubscribe", "channel": "route_generation_status", ...}``."""

    type: Literal["subscribe", "unsubscribe"]
    channel: Literal["route_generation_status"]
    request_id: str


_decoder = msgspec.json.Decoder(ClientMessage)


def error_message(code: str, detail: str, request_id: str | None = None) -> dict[str, Any]:
    """A server error message (``docs/api.md`` has its schema)."""
    message: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if request_id is not None:
        message["request_id"] = request_id
    return message


@websocket("/ws", opt={"exclude_from_auth": True})
async def status_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """Check the origin, authenticate, accept, then serve subscriptions until the client leaves."""
    settings = settings_of(socket)
    if offered_bearer_token(socket) is None and not is_allowed_origin(
        socket.headers.get("origin"), socket.headers.get("host"), settings.allowed_origins
    ):
        await socket.close(code=CLOSE_POLICY_VIOLATION, reason="cross-origin socket refused")
        return
    try:
        user, protocol = await websocket_user(socket)
    except AuthenticationError as exc:
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason=exc.message[:120])
        return
    except WildsideError as exc:  # the account store did not answer: no detail leaves
        log.warning("WebSocket handshake refused: %s", exc.code)
        await socket.close(code=CLOSE_TRY_AGAIN_LATER, reason="try again later")
        return
    await socket.accept(subprotocols=protocol)
    session = _Session(socket, user, settings.ws_auth_recheck_s)
    telemetry = services_of(socket).telemetry
    telemetry.websocket_opened()
    try:
        await session.run()
    finally:
        await session.close()
        telemetry.websocket_closed()


class _Session:
    """One connection: commands in, a forwarding task per subscription, a credential watch."""

    def __init__(self, socket: WebSocket[Any, Any, Any], user: User, recheck_s: float) -> None:
        self._socket = socket
        self._user = user
        self._recheck_s = recheck_s
        self._services = services_of(socket)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._walks = self._services.guide_walk.session()  # this connection's walks only
        self._send_lock = asyncio.Lock()
        self._ended = False  # the server closed the socket: send nothing more

    async def run(self) -> None:
        """Serve commands until the client leaves or the credential stops holding."""
        serving = asyncio.create_task(self._serve())
        watching = asyncio.create_task(self._watch_credential())
        try:
            await asyncio.wait({serving, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (serving, watching):
                task.cancel()
            for task in (serving, watching):
                with contextlib.suppress(asyncio.CancelledError):
                    await task  # re-raises a bug in either loop, after both have stopped

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self._ended:
                return
            await self._socket.send_json(message)
        self._services.telemetry.websocket_message("sent")

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _serve(self) -> None:
        with contextlib.suppress(*_SEND_FAILED):  # the client left: nothing more to do
            while not self._ended:
                event = await self._socket.receive()
                if event["type"] == "websocket.disconnect":
                    return
                self._services.telemetry.websocket_message("received")
                text = event.get("text")
                command = await self._decode(text if isinstance(text, str) else None)
                if command is None:
                    continue
                if isinstance(command, LocationMessage):
                    await self.send(await answer_location(self._walks, self._user, command))
                elif command.type == "subscribe":
                    await self._subscribe(command.request_id)
                else:
                    self._unsubscribe(command.request_id)

    async def _decode(self, text: str | None) -> ClientMessage | LocationMessage | None:
        """The command in a text frame, or ``None`` after telling the client what was wrong."""
        if text is None:
            detail = "binary frames are not accepted; send JSON text"
        elif len(text) > MAX_MESSAGE_CHARS:
            detail = f"a message is at most {MAX_MESSAGE_CHARS} characters"
        else:
            try:
                return (location_decoder if is_location(text) else _decoder).decode(text)
            except (msgspec.DecodeError, UnicodeError) as exc:  # lone surrogates cannot be UTF-8
                detail = str(exc)[:MAX_DETAIL_CHARS]
        await self.send(error_message("invalid-message", detail))
        return None

    async def _subscribe(self, request_id: str) -> None:
        if not await self._credential_holds(request_id):
            return
        if request_id in self._tasks and not self._tasks[request_id].done():
            return  # already following it
        self._tasks = {rid: task for rid, task in self._tasks.items() if not task.done()}
        if len(self._tasks) >= MAX_SUBSCRIPTIONS:
            await self.send(
                error_message("too-many-subscriptions", f"at most {MAX_SUBSCRIPTIONS}", request_id)
            )
            return
        self._tasks[request_id] = asyncio.create_task(self._forward(request_id))

    def _unsubscribe(self, request_id: str) -> None:
        task = self._tasks.pop(request_id, None)
        if task is not None:
            task.cancel()

    async def _watch_credential(self) -> None:
        """Re-check the credential every ``recheck_s`` while following; return once it is gone.

        An idle socket costs no lookup: its next ``subscribe`` checks anyway.
        """
        while True:
            await asyncio.sleep(self._recheck_s)
            following = self._walks.is_walking or any(
                not task.done() for task in self._tasks.values()
            )
            if following and not await self._credential_holds(None):
                return

    async def _credential_holds(self, request_id: str | None) -> bool:
        """Check the handshake's credential again; end the socket if it no longer holds.

        Returns ``False`` when the subscription must not go ahead. If the
        accounts cannot be read the socket stays open: a subscribe is refused
        with ``service-unavailable``, the periodic check tries again later.
        """
        try:
            user = await socket_user_again(self._socket)
        except AuthenticationError as exc:
            await self._end(exc.message)
            return False
        except WildsideError as exc:
            log.warning("WebSocket credential check failed: %s", exc.code)
            if request_id is None:
                return True
            await self.send(_unavailable(request_id))
            return False
        if user.id != self._user.id:  # cannot happen with one token or cookie; never switch
            await self._end("the credential now names another user")
            return False
        return True

    async def _end(self, reason: str) -> None:
        """Stop every subscription, say why, close with 4401."""
        if self._ended:
            return
        self._ended = True  # from here every other send is a no-op
        await self.close()
        async with self._send_lock:  # let a send under way finish first
            detail = f"{reason}; the socket closes, reconnect with a valid credential"
            with contextlib.suppress(*_SEND_FAILED):
                await self._socket.send_json(error_message("unauthenticated", detail))
                await self._socket.close(code=CLOSE_UNAUTHENTICATED, reason=reason[:120])

    async def _forward(self, request_id: str) -> None:
        """Relay one request's status; end with an error message, never with an exception."""
        try:
            async for update in self._services.follow_route(self._user, request_id):
                await self.send(update.to_message())
            return
        except NotFoundError:
            # Another user's request looks exactly like a missing one.
            message = error_message("not-found", "no such route request", request_id)
        except WildsideError as exc:
            # Store and feed messages name servers and queries: they stay in the log.
            log.warning("WebSocket subscription ended: %s", exc.code)
            message = _unavailable(request_id) if exc.is_retryable else _internal(request_id)
        except _SEND_FAILED:
            return  # the client left while we were sending
        except Exception:  # a bug: logged here, once, as the task's result is never read
            log.exception("WebSocket subscription failed")
            message = _internal(request_id)
        with contextlib.suppress(*_SEND_FAILED):
            await self.send(message)


def _unavailable(request_id: str) -> dict[str, Any]:
    return error_message(
        "service-unavailable", "the status is unavailable; subscribe again shortly", request_id
    )


def _internal(request_id: str) -> dict[str, Any]:
    return error_message("internal-error", "the status is unreadable", request_id)
