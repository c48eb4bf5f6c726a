"""Who and what a log line is about: request, job and user, carried in context variables.

Shared by the inbound adapters (they set it) and the log formatter (it reads it),
so it belongs to neither side of the hexagon.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)
user: contextvars.ContextVar[str | None] = contextvars.ContextVar("user", default=None)


@contextlib.contextmanager
def bound(
    *, request: str | None = None, job: str | None = None, user_hash: str | None = None
) -> Iterator[None]:
    """Set the given fields for the block (unset ones keep their outer value)."""
    tokens = []
    for var, value in ((request_id, request), (job_id, job), (user, user_hash)):
        if value is not None:
            tokens.append((var, var.set(value)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
