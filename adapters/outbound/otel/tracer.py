"""``Tracer`` on the OpenTelemetry API (a no-op until a provider is configured)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from opentelemetry import context, propagate, trace

from wildside.ports.tracer import Attribute, Tracer

INSTRUMENTATION = "wildside"


class OtelTracer(Tracer):
    """Spans through the global tracer provider; context travels as W3C ``traceparent``."""

    def __init__(self) -> None:
        self._tracer = trace.get_tracer(INSTRUMENTATION)

    @contextlib.contextmanager
    def span(
        self,
        name: str,
        *,
        parent: Mapping[str, str] | None = None,
        attributes: Mapping[str, Attribute] | None = None,
    ) -> Iterator[None]:
        """Start a span (as a child of ``parent`` when given); errors mark it failed."""
        token = None
        if parent:
            token = context.attach(propagate.extract(dict(parent)))
        try:
            kind = trace.SpanKind.CONSUMER if parent else trace.SpanKind.INTERNAL
            with self._tracer.start_as_current_span(
                name, kind=kind, attributes=dict(attributes or {})
            ):
                yield
        finally:
            if token is not None:
                context.detach(token)

    def inject(self) -> dict[str, str]:
        """The current context as W3C headers."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return carrier
