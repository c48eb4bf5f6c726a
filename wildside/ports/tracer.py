"""Tracer port: spans around the use cases' steps, and the context that links processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Protocol

Attribute = str | int | float | bool


class Tracer(Protocol):
    """Distributed tracing as the core needs it (the adapter speaks OpenTelemetry)."""

    def span(
        self,
        name: str,
        *,
        parent: Mapping[str, str] | None = None,
        attributes: Mapping[str, Attribute] | None = None,
    ) -> AbstractContextManager[None]:
        """A span around a block; ``parent`` (W3C headers) continues another process's trace."""
        ...

    def inject(self) -> dict[str, str]:
        """The current trace context as W3C headers (``traceparent``, ``tracestate``)."""
        ...


class NullTracer:
    """A ``Tracer`` that records nothing (CLI, unit tests)."""

    @contextlib.contextmanager
    def span(
        self,
        name: str,
        *,
        parent: Mapping[str, str] | None = None,
        attributes: Mapping[str, Attribute] | None = None,
    ) -> Iterator[None]:
        """Run the block."""
        yield

    def inject(self) -> dict[str, str]:
        """No context."""
        return {}
