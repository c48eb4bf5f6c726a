"""OpenTelemetry: the tracer adapter and the exporter set-up."""
