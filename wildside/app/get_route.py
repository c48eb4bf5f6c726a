"""Use case: a user reads one of their route requests (status, and the route once done)."""

from __future__ import annotations

import uuid

from wildside.domain.accounts import User
from wildside.domain.errors import NotFoundError
from wildside.ports.route_request_store import RouteRequestRecord, RouteRequestStore


def canonical_request_id(request_id: str) -> str:
    """The UUID in canonical form, or ``NotFoundError`` if it is not one."""
    try:
        return str(uuid.UUID(request_id))
    except ValueError:
        # Not echoed: a caller's path segment can be any size and any text.
        raise NotFoundError("no such route request (request ids are UUIDs)") from None


class GetRoute:
    """Reads requests; another user's request looks exactly like a missing one."""

    def __init__(self, store: RouteRequestStore) -> None:
        self._store = store

    def __call__(self, user: User, request_id: str) -> RouteRequestRecord:
        """Return the caller's request ``request_id``.

        Raises
        ------
        NotFoundError
            If it does not exist, has expired, or belongs to someone else.
        """
        canonical = canonical_request_id(request_id)
        record = self._store.get(canonical)
        if record is None or record.user_id != user.id:
            raise NotFoundError(f"no route request {canonical}")
        return record
