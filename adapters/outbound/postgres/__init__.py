"""PostgreSQL/PostGIS adapters built on psycopg 3."""
