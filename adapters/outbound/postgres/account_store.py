"""``AccountStore`` on PostgreSQL: users with password hashes, API tokens by SHA-256 hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.values import aware, is_uuid
from wildside.domain.accounts import User
from wildside.domain.errors import ConflictError
from wildside.ports.account_store import AccountStore, AccountStoreError, StoredUser

_CREATE_USER = """
INSERT INTO users (username, password_hash, is_admin) VALUES (%s, %s, %s)
RETURNING id, username, is_admin
"""

# lower(username) is what the unique index covers, so the lookup uses it too.
_FIND_USER = """
SELECT id, username, is_admin, password_hash FROM users WHERE lower(username) = lower(%s)
"""

_GET_USER = "SELECT id, username, is_admin FROM users WHERE id = %s"

_ADD_TOKEN = """
INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (%s, %s, %s, %s)
RETURNING id
"""

# One statement finds the owner and notes the use, so a token revoked in the
# meantime is never both refused and marked used.
# One round trip per authenticated request; last_used_at is written at most once a
# minute per token, so the hot path stays a read (no WAL, no row lock) almost always.
_USER_FOR_TOKEN = """
WITH found AS (
    SELECT t.id AS token_id, t.last_used_at, u.id, u.username, u.is_admin
    FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = %(token_hash)s AND t.revoked_at IS NULL
), touched AS (
    UPDATE api_tokens SET last_used_at = %(at)s
    WHERE id IN (
        SELECT token_id FROM found
        WHERE last_used_at IS NULL OR last_used_at < %(at)s - interval '60 seconds'
    )
)
SELECT id, username, is_admin FROM found
"""

_REVOKE = "UPDATE api_tokens SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL"


class PostgresAccountStore(AccountStore):
    """Reads and writes ``users`` and ``api_tokens``."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    def create_user(self, username: str, password_hash: str | None, *, is_admin: bool) -> User:
        """Create a user.

        Raises
        ------
        ConflictError
            The name is taken, in any letter case.
        """
        with (
            translate_errors("could not create the user", AccountStoreError),
            self._connections() as conn,
        ):
            try:
                row = conn.execute(_CREATE_USER, (username, password_hash, is_admin)).fetchone()
            except psycopg.errors.UniqueViolation as exc:
                raise ConflictError(f"the username {username!r} is taken") from exc
        if row is None:  # INSERT ... RETURNING always answers one row
            raise AccountStoreError("could not create the user: no row returned")
        return _user(row)

    def find_user(self, username: str) -> StoredUser | None:
        """Look a user up by name, in any letter case."""
        with (
            translate_errors("could not look the user up", AccountStoreError),
            self._connections() as conn,
        ):
            row = conn.execute(_FIND_USER, (username,)).fetchone()
        return None if row is None else StoredUser(_user(row[:3]), row[3])

    def get_user(self, user_id: str) -> User | None:
        """Look a user up by id; ``None`` if unknown (or not an id at all)."""
        if not is_uuid(user_id):
            return None
        with (
            translate_errors("could not look the user up", AccountStoreError),
            self._connections() as conn,
        ):
            row = conn.execute(_GET_USER, (user_id,)).fetchone()
        return None if row is None else _user(row)

    def set_password(self, user_id: str, password_hash: str) -> None:
        """Replace a user's password hash (nothing happens for an unknown user)."""
        if not is_uuid(user_id):
            return
        with (
            translate_errors("could not set the password", AccountStoreError),
            self._connections() as conn,
        ):
            conn.execute(
                "UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id)
            )

    def add_token(self, user_id: str, token_hash: bytes, label: str, at: datetime) -> str:
        """Store a token hash for the user.

        Returns
        -------
        str
            The token's id (a UUID), which revokes it later.
        """
        with (
            translate_errors("could not store the token", AccountStoreError),
            self._connections() as conn,
        ):
            row = conn.execute(_ADD_TOKEN, (user_id, token_hash, label, aware(at))).fetchone()
        if row is None:  # INSERT ... RETURNING always answers one row
            raise AccountStoreError("could not store the token: no row returned")
        return str(row[0])

    def user_for_token(self, token_hash: bytes, at: datetime) -> User | None:
        """The owner of an unrevoked token with this hash, noting its use at ``at``."""
        params = {"token_hash": token_hash, "at": aware(at)}
        with (
            translate_errors("could not check the token", AccountStoreError),
            self._connections() as conn,
        ):
            row = conn.execute(_USER_FOR_TOKEN, params).fetchone()
        return None if row is None else _user(row)

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        """Revoke a token; ``False`` if no unrevoked token has this id (or it is no id)."""
        if not is_uuid(token_id):
            return False
        with (
            translate_errors("could not revoke the token", AccountStoreError),
            self._connections() as conn,
        ):
            revoked = conn.execute(_REVOKE, (aware(at), token_id)).rowcount
        return revoked == 1


def _user(row: tuple[Any, ...]) -> User:
    user_id, username, is_admin = row
    return User(id=str(user_id), username=username, is_admin=is_admin)
