"""Account store port: users, password hashes and API token hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wildside.domain.accounts import User
from wildside.domain.errors import WildsideError


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user with the password hash the store keeps (``None``: token-only account)."""

    user: User
    password_hash: str | None


class AccountStoreError(WildsideError):
    """The store failed to answer."""

    code = "account-store-error"


class AccountStore(Protocol):
    """Users and tokens. Secrets arrive hashed; the store never sees them in clear."""

    def create_user(self, username: str, password_hash: str | None, *, is_admin: bool) -> User:
        """Create a user; raise ``ConflictError`` if the name is taken (case-insensitive)."""
        ...

    def find_user(self, username: str) -> StoredUser | None:
        """Look a user up by name (case-insensitive)."""
        ...

    def get_user(self, user_id: str) -> User | None:
        """Look a user up by id."""
        ...

    def set_password(self, user_id: str, password_hash: str) -> None:
        """Replace a user's password hash."""
        ...

    def add_token(self, user_id: str, token_hash: bytes, label: str, at: datetime) -> str:
        """Store a token hash for the user; return the token's id."""
        ...

    def user_for_token(self, token_hash: bytes, at: datetime) -> User | None:
        """The owner of an unrevoked token with this hash (and note its use), or ``None``."""
        ...

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Revoke a token; False if no unrevoked token has this id."""
        ...
