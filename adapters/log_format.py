"""Process logging: JSON lines for machines, a readable line on a terminal, no secrets in either.

Every record of the process (ours, uvicorn's, Dramatiq's, Litestar's, Python
warnings) goes through one handler on stderr. That handler carries
:class:`Redact`, the last line of defence against secrets in logs: the code
that logs is responsible for logging only pseudonyms (``user_hash``), ids and
rounded coordinates, and this filter catches what slips through.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from opentelemetry import trace

from adapters import log_context

_HUMAN = "%(asctime)s %(levelname)-7s %(name)s: %(message)s%(context)s"
# Loggers that third-party code configures itself (handlers, propagate=False):
# they are emptied so their records reach our one handler on the root logger.
_FOREIGN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq", "litestar")
REDACTED = "[redacted]"
_JOB_ATTRIBUTE = "wildside_job_id"  # set by Redact on a record about a queue message
_FIELDS_ATTRIBUTE = "wildside_fields"  # structured fields a line carries (see ``fields``)
COORDINATE_DECIMALS = 2  # about a kilometre: enough to tell a city district, not a house


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
            **_context(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class HumanLines(logging.Formatter):
    """``time level logger: message [request=… job=… trace=…]``."""

    def __init__(self) -> None:
        super().__init__(_HUMAN, datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        """The classic line, with the context appended when there is any."""
        fields = _context(record)
        record.context = (
            (" [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]") if fields else ""
        )
        return super().format(record)


def _round_coordinate(match: re.Match[str]) -> str:
    return f"{match[1]}{round(float(match[2]), COORDINATE_DECIMALS)}"


_KEYS = (
    r"password|passwd|secret|token|access_token|api_key|authorization|cookie|set-cookie"
    r"|session|idempotency[-_]key|user_id|username|email"
)
# Applied in order to every message and traceback; each keeps the shape of the text.
_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # A query string after a path or URL (``/ws?token=…`` in uvicorn's handshake line).
    (re.compile(r"(/[^\s?#\"'<>]*)\?[^\s#\"'<>]+"), rf"\1?{REDACTED}"),
    # API tokens, wherever they appear (``bearer.wst_…`` subprotocols too).
    (re.compile(r"\bwst_[A-Za-z0-9_-]+"), f"wst_{REDACTED}"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+"), rf"\1 {REDACTED}"),
    # ``key=value`` / ``key: value`` / ``"key": "value"`` for keys that name a secret or a person.
    (
        re.compile(
            rf"(?i)([\"']?)\b({_KEYS})\1(\s*[:=]\s*)([\"']?)(?:bearer |basic )?[^\"'\s,;&}}]+"
        ),
        rf"\1\2\1\3\4{REDACTED}",
    ),
    # Coordinates named as such keep two decimals.
    (
        re.compile(r"(?i)(\b(?:lat|lng|lon|latitude|longitude)[\"']?\s*[:=]\s*)(-?\d+\.\d{3,})"),
        _round_coordinate,
    ),
]


def redact(text: str) -> str:
    """``text`` without query strings, tokens, credentials, personal values or exact coordinates."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class Redact(logging.Filter):
    """Rewrite each record so that no secret reaches a handler: message, arguments, traceback.

    Queue messages (Dramatiq's ``Message`` prints its arguments: user ids,
    Idempotency-Keys, coordinates) are replaced by their actor and id before
    the message is built; the built message and the traceback are then
    passed through :func:`redact`. The record is never dropped.
    """

    _render = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        try:
            message = record.getMessage() if not record.args else _format(record)
        except (TypeError, ValueError, KeyError):  # the arguments do not fit the message
            message = f"{record.msg} [the log arguments did not fit this message]"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._render.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _format(record: logging.LogRecord) -> str:
    record.args = _safe_args(record.args)
    for value in record.args if isinstance(record.args, tuple) else ():
        if isinstance(value, _QueueMessage):  # Dramatiq's own lines name the job they are about
            record.__dict__.setdefault(_JOB_ATTRIBUTE, value.message_id)
    return record.getMessage()


class _QueueMessage(str):
    """A queue message as text (``actor[id]``) that still knows its id."""

    message_id: str

    def __new__(cls, actor: str, message_id: str) -> _QueueMessage:
        text = super().__new__(cls, f"{actor}[{message_id}]")
        text.message_id = message_id
        return text


def _safe_args(args: tuple[object, ...] | Any) -> tuple[object, ...] | Any:
    if isinstance(args, tuple):
        return tuple(_safe_value(value) for value in args)
    if isinstance(args, dict):
        return {key: _safe_value(value) for key, value in args.items()}
    return args


def _safe_value(value: object) -> object:
    """A queue message by name and id only (duck-typed: no Dramatiq import here)."""
    actor = getattr(value, "actor_name", None)
    message_id = getattr(value, "message_id", None)
    if isinstance(actor, str) and isinstance(message_id, str):
        return _QueueMessage(actor, message_id)
    return value


class _HandshakePaths(logging.Filter):
    """uvicorn logs each WebSocket handshake with its URL: keep the path, drop the query.

    The query of a refused ``/ws?token=wst_…`` is a secret (clients are told
    never to put one there, but some do). uvicorn offers no option for this
    line, so the filter sits on the logger it uses (``uvicorn.error``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Strip the query from the path argument of uvicorn's handshake lines."""
        if (
            isinstance(record.msg, str)
            and '"WebSocket %s"' in record.msg
            and isinstance(record.args, tuple)
            and len(record.args) >= 2
            and isinstance(record.args[1], str)
        ):
            path = record.args[1].partition("?")[0]
            record.args = (record.args[0], path, *record.args[2:])
        return True


_HANDSHAKE_PATHS = _HandshakePaths()


def configure_logging(
    level: str, *, json_lines: bool | None = None, stream: TextIO | None = None
) -> None:
    """Route every logger (uvicorn's, Dramatiq's, Litestar's too) through one handler on stderr.

    ``json_lines=None`` chooses by the stream: JSON unless it is a terminal.
    The handler writes and flushes each line as it is logged (no queue, no
    thread): a line logged before the process exits is on the stream.
    """
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not stream.isatty()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines() if json_lines else HumanLines())
    handler.addFilter(Redact())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _FOREIGN_LOGGERS:
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.error").addFilter(_HANDSHAKE_PATHS)  # added once: one instance
    logging.captureWarnings(True)  # warnings.warn() becomes a record, not a bare stderr line


def log_uncaught() -> Callable[[], None]:
    """Log uncaught exceptions (main and other threads) as records; returns the undo.

    Without this, a crash prints Python's bare traceback: a non-JSON line
    that a log pipeline cannot parse.
    """
    previous = (sys.excepthook, threading.excepthook)
    crash = logging.getLogger("wildside.crash")

    def main_hook(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        crash.critical("uncaught %s", kind.__name__, exc_info=(kind, error, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        error = args.exc_value or args.exc_type()
        crash.critical(
            "uncaught %s in thread %s",
            args.exc_type.__name__,
            name,
            exc_info=(args.exc_type, error, args.exc_traceback),
        )

    sys.excepthook = main_hook
    threading.excepthook = thread_hook

    def undo() -> None:
        sys.excepthook, threading.excepthook = previous

    return undo


def flush_logging() -> None:
    """Flush every handler of the root logger (the last lines before the process exits)."""
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(OSError, ValueError):  # a closed stream takes nothing more
            handler.flush()


def fields(**values: str | int | None) -> dict[str, object]:
    """The ``extra`` that gives a line structured fields (JSON keys, ``k=v`` on a terminal).

    The caller passes ids, codes and counts only: fields are not redacted.

    Examples
    --------
    >>> fields(queue="enrichment", attempt=2)
    {'wildside_fields': {'queue': 'enrichment', 'attempt': 2}}
    """
    return {_FIELDS_ATTRIBUTE: values}


def _context(record: logging.LogRecord) -> dict[str, object]:
    found: dict[str, object] = {
        "request_id": log_context.request_id.get(),
        "job_id": log_context.job_id.get() or record.__dict__.get(_JOB_ATTRIBUTE),
        "user_hash": log_context.user.get(),
    }
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        found["trace_id"] = f"{span.trace_id:032x}"
        found["span_id"] = f"{span.span_id:016x}"
    found.update(record.__dict__.get(_FIELDS_ATTRIBUTE) or {})
    return {k: v for k, v in found.items() if v is not None and v != ""}
