"""Use cases: a user reads and replaces their saved preferences (defaults for route requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wildside.domain.accounts import User
from wildside.domain.preferences import SYSTEM_DEFAULTS, Preferences
from wildside.ports.clock import Clock
from wildside.ports.preference_store import PreferenceStore


@dataclass(frozen=True, slots=True)
class PreferencesView:
    """The preferences in force for a user; ``updated_at`` is ``None`` for the system defaults."""

    preferences: Preferences
    updated_at: datetime | None


class UserPreferences:
    """Each user sees and changes only their own preferences."""

    def __init__(self, store: PreferenceStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def get(self, user: User) -> PreferencesView:
        """The user's saved preferences, or the system defaults if they never saved any."""
        stored = self._store.get(user.id)
        if stored is None:
            return PreferencesView(SYSTEM_DEFAULTS, None)
        return PreferencesView(stored.preferences, stored.updated_at)

    def put(self, user: User, preferences: Preferences) -> PreferencesView:
        """Replace the user's preferences as a whole."""
        stored = self._store.put(user.id, preferences, self._clock.now())
        return PreferencesView(stored.preferences, stored.updated_at)
