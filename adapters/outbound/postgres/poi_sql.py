"""SQL shared by every writer of ``pois`` and ``map_imports``, and the data version they move."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

# The DO UPDATE condition of a POI merge: a row whose content is unchanged is
# not rewritten, so a re-run writes nothing and RETURNING (xmax = 0) tells
# inserted from updated. Both writers must agree on what "changed" means.
POI_CHANGED = """(p.name, ST_AsBinary(p.location), p.tags, p.themes, p.popularity)
      IS DISTINCT FROM
      (EXCLUDED.name, ST_AsBinary(EXCLUDED.location), EXCLUDED.tags, EXCLUDED.themes,
       EXCLUDED.popularity)"""


def record_import(conn: Connection[Any], source: str | None, counts: dict[str, int]) -> None:
    """Add a ``map_imports`` row: the data changed, so the data version moves on."""
    conn.execute(
        "INSERT INTO map_imports (source, counts) VALUES (%s, %s)", (source, Jsonb(counts))
    )


def data_version(conn: Connection[Any]) -> str:
    """``import-<id>`` of the newest import, or ``empty``: what tours and tiles are tagged with."""
    row = conn.execute("SELECT max(id) FROM map_imports").fetchone()
    return f"import-{row[0]}" if row and row[0] is not None else "empty"
