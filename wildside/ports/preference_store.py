"""Preference store port: each user's saved defaults for new route requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.preferences import Preferences


@dataclass(frozen=True, slots=True)
class StoredPreferences:
    """A user's saved preferences and when they were last saved."""

    preferences: Preferences
    updated_at: datetime


class PreferenceStoreError(WildsideError):
    """The store failed to answer."""

    code = "preference-store-error"


class PreferenceStore(Protocol):
    """One set of preferences per user, replaced as a whole."""

    def get(self, user_id: str) -> StoredPreferences | None:
        """The user's saved preferences, or ``None`` if they never saved any."""
        ...

    def put(self, user_id: str, preferences: Preferences, at: datetime) -> StoredPreferences:
        """Replace the user's preferences with ``preferences``, saved at ``at``."""
        ...
