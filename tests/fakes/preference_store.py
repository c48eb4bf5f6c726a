"""In-memory ``PreferenceStore`` with the same rules as the PostgreSQL adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wildside.domain.preferences import Preferences
from wildside.ports.preference_store import PreferenceStore, StoredPreferences


@dataclass
class InMemoryPreferenceStore(PreferenceStore):
    """One entry per user id; ``reads`` counts ``get`` calls (a complete request needs none)."""

    rows: dict[str, StoredPreferences] = field(default_factory=dict)
    reads: int = 0

    def get(self, user_id: str) -> StoredPreferences | None:
        """The user's saved preferences, or ``None``."""
        self.reads += 1
        return self.rows.get(user_id)

    def put(self, user_id: str, preferences: Preferences, at: datetime) -> StoredPreferences:
        """Replace the user's preferences."""
        self.rows[user_id] = StoredPreferences(preferences, at)
        return self.rows[user_id]
