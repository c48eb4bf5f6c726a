"""``GET /ws``: subscribe to your route requests' status; messages follow the seed's schema."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Literal

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from adapters.inbound.http.auth import websocket_user
from adapters.inbound.http.state import services_of
from wildside.domain.accounts import User
from wildside.domain.errors import NotFoundError, WildsideError

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 32  # per connection: a client follows its own few requests
CLOSE_UNAUTHENTICATED = 4401  # before accept: the handshake is refused (HTTP 403)


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
    """Authenticate, accept, then serve subscriptions until the client leaves."""
    try:
        user, protocol = await websocket_user(socket)
    except WildsideError as exc:
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason=exc.message[:120])
        return
    await socket.accept(subprotocols=protocol)
    session = _Session(socket, user)
    telemetry = services_of(socket).telemetry
    telemetry.websocket_opened()
    try:
        await session.serve()
    finally:
        await session.close()
        telemetry.websocket_closed()


class _Session:
    """One connection: incoming commands, one forwarding task per subscription."""

    def __init__(self, socket: WebSocket[Any, Any, Any], user: User) -> None:
        self._socket = socket
        self._user = user
        self._services = services_of(socket)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()

    async def serve(self) -> None:
        while True:
            try:
                raw = await self._socket.receive_data(mode="text")
            except WebSocketDisconnect:
                return
            self._services.telemetry.websocket_message("received")
            try:
                command = _decoder.decode(raw)
            except msgspec.DecodeError as exc:
                await self.send(error_message("invalid-message", str(exc)))
                continue
            if command.type == "subscribe":
                await self._subscribe(command.request_id)
            else:
                self._unsubscribe(command.request_id)

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self._socket.send_json(message)
        self._services.telemetry.websocket_message("sent")

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _subscribe(self, request_id: str) -> None:
        if request_id in self._tasks and not self._tasks[request_id].done():
            return  # already following it
        if sum(not t.done() for t in self._tasks.values()) >= MAX_SUBSCRIPTIONS:
            await self.send(
                error_message("too-many-subscriptions", f"at most {MAX_SUBSCRIPTIONS}", request_id)
            )
            return
        self._tasks[request_id] = asyncio.create_task(self._forward(request_id))

    def _unsubscribe(self, request_id: str) -> None:
        task = self._tasks.pop(request_id, None)
        if task is not None:
            task.cancel()

    async def _forward(self, request_id: str) -> None:
        try:
            async for update in self._services.follow_route(self._user, request_id):
                await self.send(update.to_message())
        except NotFoundError:
            # Another user's request looks exactly like a missing one.
            await self.send(error_message("not-found", "no such route request", request_id))
        except WildsideError as exc:
            await self.send(error_message(exc.code, exc.message, request_id))
        except (WebSocketDisconnect, RuntimeError):
            return  # the client left while we were sending
