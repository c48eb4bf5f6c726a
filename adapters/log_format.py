"""Process logging: JSON lines for machines, a readable line on a terminal."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from opentelemetry import trace

from adapters import log_context

_HUMAN = "%(asctime)s %(levelname)-7s %(name)s: %(message)s%(context)s"


class JsonLines(logging.Formatter):
    """One JSON object per record: timestamp, level, logger, message, ids, trace, error."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise ``record`` with the context of the code that logged it."""
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_context(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class HumanLines(logging.Formatter):
    """``time level logger: message [request=… job=… trace=…]``."""

    def __init__(self) -> None:
        super().__init__(_HUMAN, datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        """The classic line, with the context appended when there is any."""
        fields = _context()
        record.context = (
            (" [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]") if fields else ""
        )
        return super().format(record)


def configure_logging(
    level: str = "INFO", *, json_lines: bool | None = None, stream: TextIO | None = None
) -> None:
    """Route every logger (uvicorn's and Dramatiq's too) through one handler on stderr.

    ``json_lines=None`` chooses by the stream: JSON unless it is a terminal.
    """
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not stream.isatty()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines() if json_lines else HumanLines())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def _context() -> dict[str, str]:
    fields = {
        "request_id": log_context.request_id.get(),
        "job_id": log_context.job_id.get(),
        "user_hash": log_context.user.get(),
    }
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        fields["trace_id"] = f"{span.trace_id:032x}"
        fields["span_id"] = f"{span.span_id:016x}"
    return {k: v for k, v in fields.items() if v}
