"""Install the process's tracer provider: no export, the console, or OTLP over HTTP."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from wildside.domain.errors import ConfigurationError

EXPORTERS = ("none", "console", "otlp")


def configure_tracing(exporter: str, *, service: str, endpoint: str | None = None) -> None:
    """Set the global provider once per process (``none`` leaves the API's no-op in place).

    ``otlp`` sends to ``endpoint`` (e.g. ``http://otel-collector:4318/v1/traces``)
    or, when unset, wherever the standard ``OTEL_EXPORTER_OTLP_*`` variables say.
    """
    if exporter == "none":
        return
    if exporter not in EXPORTERS:
        raise ConfigurationError(
            f"unknown trace exporter {exporter!r}; use one of {', '.join(EXPORTERS)}",
            variable="WILDSIDE_OTEL_EXPORTER",
        )
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(_exporter(exporter, endpoint)))
    trace.set_tracer_provider(provider)


def _exporter(kind: str, endpoint: str | None) -> SpanExporter:
    if kind == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()


def shutdown_tracing() -> None:
    """Flush and stop the provider (a no-op when none was configured)."""
    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if shutdown is not None:
        shutdown()
