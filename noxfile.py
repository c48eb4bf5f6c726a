"""Project checks: import contracts, lint and format, types, tests (run in the project's .venv)."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.error_on_missing_interpreters = True


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    """Import-linter contracts, Ruff lint and Ruff format check."""
    session.run("lint-imports")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    """mypy, strict on the core."""
    session.run("mypy")


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, contracts, integration, BDD; ``-rs`` lists every skip and why."""
    session.run("pytest", "-n", "2", "-rs", "--ignore=tests/drills", *session.posargs)


@nox.session(python=False)
def drills(session: nox.Session) -> None:
    """Reliability and security drills against live processes, full length (docs/reliability.md)."""
    session.run("pytest", "tests/drills", "-m", "not drill_ci", "-rA", *session.posargs)


@nox.session(python=False)
def drills_ci(session: nox.Session) -> None:
    """The drills with their slow ones shortened, for CI."""
    session.run("pytest", "tests/drills", "-m", "not drill_full", "-rA", *session.posargs)


@nox.session(python=False)
def fmt(session: nox.Session) -> None:
    """Apply Ruff formatting and safe fixes."""
    session.run("ruff", "format", ".")
    session.run("ruff", "check", "--fix", ".")
