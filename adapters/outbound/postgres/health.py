"""``HealthProbe`` for PostgreSQL: one ``SELECT 1`` under a short statement timeout."""

from __future__ import annotations

import psycopg

from adapters.outbound.postgres.connection import ConnectionSource
from wildside.domain.errors import UnavailableError
from wildside.ports.health_probe import HealthProbe

DEFAULT_TIMEOUT_S = 2.0


class PostgresHealthProbe(HealthProbe):
    """Asks the database for ``SELECT 1``.

    The statement timeout bounds a hung server. How long getting a connection
    may take is the source's business: ``open_pool``'s ``timeout_s`` or
    ``connect_timeout`` for ``per_call``.
    """

    name = "postgresql"

    def __init__(
        self, connections: ConnectionSource, *, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self._connections = connections
        self._timeout_ms = max(1, round(timeout_s * 1000))

    def check(self) -> None:
        """Return if PostgreSQL answers.

        Raises
        ------
        UnavailableError
            The database cannot be reached or does not answer in time.
        """
        try:
            with self._connections() as conn, conn.transaction():
                # SET LOCAL semantics: the timeout ends with this transaction, so a
                # pooled connection goes back unchanged.
                conn.execute(
                    "SELECT set_config('statement_timeout', %s, true)", (str(self._timeout_ms),)
                )
                conn.execute("SELECT 1").fetchone()
        except psycopg.Error as exc:
            raise UnavailableError(
                f"PostgreSQL did not answer: {_first_line(exc)}", service=self.name
            ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
