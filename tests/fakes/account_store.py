"""In-memory ``AccountStore`` with the same rules as the PostgreSQL adapter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from wildside.domain.accounts import User
from wildside.domain.errors import ConflictError
from wildside.ports.account_store import AccountStore, StoredUser


@dataclass
class _Token:
    user_id: str
    token_hash: bytes
    label: str
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


@dataclass
class InMemoryAccountStore(AccountStore):
    """Users by lower-cased name, tokens by id."""

    users: dict[str, StoredUser] = field(default_factory=dict)
    tokens: dict[str, _Token] = field(default_factory=dict)

    def create_user(self, username: str, password_hash: str | None, *, is_admin: bool) -> User:
        """Add a user; names are unique regardless of case."""
        if username.lower() in self.users:
            raise ConflictError(f"the username {username!r} is taken")
        user = User(id=str(uuid.uuid4()), username=username, is_admin=is_admin)
        self.users[username.lower()] = StoredUser(user, password_hash)
        return user

    def find_user(self, username: str) -> StoredUser | None:
        """By name, any case."""
        return self.users.get(username.lower())

    def get_user(self, user_id: str) -> User | None:
        """By id."""
        return next((s.user for s in self.users.values() if s.user.id == user_id), None)

    def set_password(self, user_id: str, password_hash: str) -> None:
        """Replace the hash."""
        for name, stored in self.users.items():
            if stored.user.id == user_id:
                self.users[name] = StoredUser(stored.user, password_hash)

    def add_token(self, user_id: str, token_hash: bytes, label: str, at: datetime) -> str:
        """Store the hash under a new id."""
        token_id = str(uuid.uuid4())
        self.tokens[token_id] = _Token(user_id, token_hash, label)
        return token_id

    def user_for_token(self, token_hash: bytes, at: datetime) -> User | None:
        """The owner of an unrevoked token with this hash."""
        for token in self.tokens.values():
            if token.token_hash == token_hash and token.revoked_at is None:
                token.last_used_at = at
                return self.get_user(token.user_id)
        return None

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Mark revoked; False if unknown or already revoked."""
        token = self.tokens.get(token_id)
        if token is None or token.revoked_at is not None:
            return False
        token.revoked_at = at
        return True
