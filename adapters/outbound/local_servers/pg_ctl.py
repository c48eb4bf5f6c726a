"""Run PostgreSQL tools as the ``postgres`` user even when we are root.

PostgreSQL refuses to run as root. Instead of ``su`` (which needs a login
shell and file ownership changes), the tool runs inside a user namespace that
maps root to the ``postgres`` uid: inside, it sees itself and the files it
creates as ``postgres``; outside, everything stays owned by root.
"""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

_PG_LIB = Path("/usr/lib/postgresql")


def pg_bindir() -> Path:
    """Return the newest installed PostgreSQL server ``bin`` directory."""
    candidates = sorted(
        (path for path in _PG_LIB.glob("*/bin") if (path / "pg_ctl").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise FileNotFoundError(
            "no PostgreSQL server found under /usr/lib/postgresql; run scripts/setup.sh"
        )
    return candidates[-1]


def as_postgres_prefix() -> list[str]:
    """Return the command prefix that drops root to ``postgres`` (empty when not root)."""
    if os.geteuid() != 0:
        return []
    account = pwd.getpwnam("postgres")
    return [
        "unshare",
        "--user",
        f"--map-user={account.pw_uid}",
        f"--map-group={account.pw_gid}",
    ]


def pg_command(tool: str, *args: str) -> list[str]:
    """Return the full command line for a PostgreSQL server tool."""
    return [*as_postgres_prefix(), str(pg_bindir() / tool), *args]


def main() -> None:
    """Console script ``wildside-pg-ctl``: a drop-in, root-safe ``pg_ctl``."""
    command = pg_command("pg_ctl", *sys.argv[1:])
    os.execvp(command[0], command)
