"""``PreferenceStore`` on PostgreSQL: one ``user_preferences`` row per user, replaced whole."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.values import aware, is_uuid, utc
from wildside.domain.preferences import Preferences
from wildside.ports.preference_store import (
    PreferenceStore,
    PreferenceStoreError,
    StoredPreferences,
)

_GET = """SELECT themes, duration_minutes, pace, updated_at FROM user_preferences
WHERE user_id = %s"""

_PUT = """
INSERT INTO user_preferences (user_id, themes, duration_minutes, pace, updated_at)
VALUES (%(user_id)s, %(themes)s, %(duration_minutes)s, %(pace)s, %(at)s)
ON CONFLICT (user_id) DO UPDATE
SET themes = EXCLUDED.themes, duration_minutes = EXCLUDED.duration_minutes,
    pace = EXCLUDED.pace, updated_at = EXCLUDED.updated_at
RETURNING themes, duration_minutes, pace, updated_at
"""


class PostgresPreferenceStore(PreferenceStore):
    """Reads and upserts ``user_preferences``."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    @contextlib.contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection]:
        with (
            translate_errors(f"could not {action}", PreferenceStoreError),
            self._connections() as conn,
        ):
            yield conn

    def get(self, user_id: str) -> StoredPreferences | None:
        """The user's row, or ``None``."""
        if not is_uuid(user_id):
            return None
        with self._connection("read the preferences") as conn:
            row = conn.execute(_GET, (user_id,)).fetchone()
        return None if row is None else _stored(row)

    def put(self, user_id: str, preferences: Preferences, at: datetime) -> StoredPreferences:
        """Insert or replace the user's row in one statement."""
        params: dict[str, Any] = {
            "user_id": user_id,
            "themes": list(preferences.themes),
            "duration_minutes": preferences.duration_minutes,
            "pace": preferences.pace_m_s,
            "at": aware(at),
        }
        with self._connection("save the preferences") as conn:
            row = conn.execute(_PUT, params).fetchone()
        if row is None:  # RETURNING always answers for an upsert
            raise PreferenceStoreError("could not save the preferences: no row came back")
        return _stored(row)


def _stored(row: tuple[Any, ...]) -> StoredPreferences:
    themes, duration, pace, updated_at = row
    preferences = Preferences.build(themes=themes, duration_minutes=duration, pace_m_s=pace)
    return StoredPreferences(preferences, utc(updated_at))
