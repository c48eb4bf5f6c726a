"""Drill: what every other drill's API and worker processes wrote (WILDSIDE_LOG_FORMAT=json).

Runs last (``drill_audit``). Every line of every process is one JSON object
with ``timestamp``, ``level``, ``logger`` and ``message``; lines written while
serving a request or running a job carry ``request_id`` / ``job_id``; and no
secret any drill used (tokens, session cookies, user ids, Idempotency-Keys,
exact start coordinates, passwords: the ledger has every one) appears in any
line. A process the drills SIGKILLed may end with one cut line: the kill
cuts it, not the product, so only that last unterminated line is excused.
Every other process was stopped with SIGTERM at the end of its drill: it
exits 0, logs no error or critical line once it starts stopping, and the API's
last line is ``api stopped`` (docs/operations.md), so no line was lost on the
way out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.drills.ledger import Ledger

pytestmark = [pytest.mark.drill, pytest.mark.drill_audit]

FIELDS = ("timestamp", "level", "logger", "message")
# Loggers whose lines are about one HTTP request (API) or one job (worker).
REQUEST_LOGGERS = (
    "adapters.inbound.http",
    "litestar",
    "opentelemetry.trace.propagation",  # a bad traceparent header of one request
)
JOB_LOGGERS = (
    "adapters.inbound.worker.actors",
    "wildside.app.generate_route",
    "wildside.app.enrich_area",
    "dramatiq.worker.WorkerThread",
    "dramatiq.middleware",  # e.g. Retries: "Retrying message '<id>' in 2000 milliseconds."
)
# uvicorn's per-connection lines (``('127.0.0.1', 5555) - "WebSocket /ws" 403``).
_CONNECTION_LINE = re.compile(
    r"""^(?:\('?127\.0\.0\.1'?, \d+\)|127\.0\.0\.1:\d+) - "(?:WebSocket|GET|POST)"""
)
# Where a clean stop begins: nothing after it may be an error (issue 12: every clean
# worker stop logged 8 critical tracebacks).
STOP_MARKERS = {"worker stopping", "Shutting down"}


def _parse(path: Path, is_killed: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON lines of one file, and what is wrong with the rest."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.split("\n")
    tail = lines.pop()  # "" when the file ends with a newline
    problems = []
    if tail and not is_killed:
        problems.append(f"{path.name}: unterminated last line {tail[:200]!r}")
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"{path.name}:{number}: not JSON: {line[:200]!r}")
            continue
        if not isinstance(record, dict) or not all(k in record for k in FIELDS):
            problems.append(f"{path.name}:{number}: not a log record: {line[:200]!r}")
            continue
        records.append(record)
    return records, problems


def _missing_id(record: dict[str, Any], role: str) -> str | None:
    """The id a line about a request or a job lacks, if any."""
    logger = str(record["logger"])
    if role == "serve":
        is_request = logger.startswith(REQUEST_LOGGERS) or bool(
            _CONNECTION_LINE.match(str(record["message"]))
        )
        return "request_id" if is_request and not record.get("request_id") else None
    is_job = logger.startswith(JOB_LOGGERS)
    return "job_id" if is_job and not record.get("job_id") else None


def _unclean_stop(
    path: Path, role: str, records: list[dict[str, Any]], status: int | None
) -> list[str]:
    """What says a SIGTERMed process did not stop cleanly."""
    problems = []
    if status != 0:
        problems.append(f"{path.name}: exit status {status} after SIGTERM (expected 0)")
    last = records[-1]["message"] if records else None
    if role == "serve" and last != "api stopped":
        problems.append(f"{path.name}: the last line is {last!r}, not 'api stopped'")
    stopping = next((i for i, r in enumerate(records) if r["message"] in STOP_MARKERS), None)
    for record in records[stopping or len(records) :]:
        if record["level"] in ("error", "critical"):
            problems.append(f"{path.name}: an error while stopping: {json.dumps(record)[:300]}")
    return problems


def test_every_log_line_is_json_with_its_ids_and_holds_no_secret(
    ledger: Ledger, figures: dict[str, object]
) -> None:
    if not ledger.logs:
        pytest.skip("no drill ran in this session: run the log audit with the drills it audits")
    # Given every secret the drills used
    needles = ledger.needles()
    problems: list[str] = []
    leaks: list[str] = []
    counts: Counter[str] = Counter()
    for path, role in sorted(ledger.logs.items()):
        if not path.exists():
            problems.append(f"{path}: the log file is gone")
            continue
        # When each process's log is read
        records, bad = _parse(path, path in ledger.killed)
        problems.extend(bad)
        counts[f"{role} lines"] += len(records)
        if path not in ledger.killed:
            problems.extend(_unclean_stop(path, role, records, ledger.exits.get(path)))
        for record in records:
            counts[f"{role} {record['level']}"] += 1
            if (missing := _missing_id(record, role)) is not None:
                problems.append(f"{path.name}: no {missing}: {json.dumps(record)[:300]}")
        # Then no secret is in it, in any form the ledger knows
        text = path.read_bytes().decode("utf-8", errors="replace")
        for kind, needle in needles:
            if needle in text:
                line = next(x for x in text.splitlines() if needle in x)
                leaks.append(f"{path.name}: a {kind} ({needle[:12]}…): {line[:300]}")
    figures.update(
        files=len(ledger.logs),
        secrets=dict(Counter(kind for kind, _ in needles)),
        lines=dict(counts),
        problems=len(problems),
        leaks=len(leaks),
    )
    assert not leaks, f"{len(leaks)} secrets in the logs:\n" + "\n".join(leaks[:30])
    assert not problems, f"{len(problems)} bad lines:\n" + "\n".join(problems[:30])
