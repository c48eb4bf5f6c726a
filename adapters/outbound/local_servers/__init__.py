"""Private PostgreSQL+PostGIS and Redis servers under ``.run/`` for dev and tests."""
