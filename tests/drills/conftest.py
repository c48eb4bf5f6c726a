"""Drill fixtures: the session's secret ledger, and drills collected only when asked for.

``nox -s drills`` (``pytest tests/drills``) runs them; a run over ``tests`` as a
whole (``nox -s tests``, plain ``pytest``) leaves them out, because each drill
starts its own processes and injects faults for minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.drills.ledger import Ledger

DRILLS_DIR = Path(__file__).resolve().parent
STALE_AFTER_S = 86_400
FIGURES: pytest.StashKey[dict[str, dict[str, object]]] = pytest.StashKey()


def pytest_configure(config: pytest.Config) -> None:
    """Register the drills' markers (``--strict-markers`` is on)."""
    config.addinivalue_line("markers", "drill: a reliability or security drill (tests/drills)")
    config.addinivalue_line(
        "markers", "drill_full: the full variant of a slow drill (`nox -s drills` only)"
    )
    config.addinivalue_line(
        "markers", "drill_ci: the short variant of a slow drill (`nox -s drills_ci` only)"
    )
    config.addinivalue_line(
        "markers", "drill_audit: reads what every other drill left behind; runs last"
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect drills only when the command line names ``tests/drills`` (or a path inside)."""
    if DRILLS_DIR not in (collection_path, *collection_path.parents):
        return None
    for arg in config.args:
        target = Path(os.path.abspath(arg.split("::")[0]))
        if target == DRILLS_DIR or DRILLS_DIR in target.parents:
            return None
    return True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log audit goes after every drill whose logs it reads."""
    audits = [item for item in items if item.get_closest_marker("drill_audit")]
    if audits:
        items[:] = [item for item in items if item not in audits] + audits


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what each drill measured (the figures of docs/reliability.md)."""
    figures = terminalreporter.config.stash.get(FIGURES, {})
    if figures:
        terminalreporter.section("drill figures")
        for drill, values in figures.items():
            terminalreporter.write_line(f"{drill}: {json.dumps(values, sort_keys=True)}")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> dict[str, object]:
    """Where a drill puts what it measured; printed at the end of the session."""
    table = request.config.stash.setdefault(FIGURES, {})
    return table.setdefault(request.node.name, {})


@pytest.fixture(scope="session")
def drill_root(request: pytest.FixtureRequest) -> Iterator[Path]:
    """This session's directory under ``.run/drills/``: each service's run dir and logs.

    Not under pytest's temporary directories, which other pytest runs on the
    machine prune: the log audit and a reader afterwards need every file. The
    figures are written there at the end; sessions older than a day go.
    """
    parent = REPO_ROOT / ".run" / "drills"
    parent.mkdir(parents=True, exist_ok=True)
    for old in parent.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(old, ignore_errors=True)
    root = parent / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    root.mkdir()
    yield root
    figures = request.config.stash.get(FIGURES, {})
    (root / "figures.json").write_text(json.dumps(figures, indent=2, sort_keys=True))


@pytest.fixture(scope="session")
def drill_dir(drill_root: Path) -> Callable[[str], Path]:
    """Make a new directory named after a drill in this session's directory."""

    def make(name: str) -> Path:
        path, n = drill_root / name, 1
        while path.exists():
            n += 1
            path = drill_root / f"{name}-{n}"
        path.mkdir()
        return path

    return make


@pytest.fixture(scope="session")
def ledger() -> Ledger:
    """Every secret used and every process log written during this session's drills."""
    return Ledger()
