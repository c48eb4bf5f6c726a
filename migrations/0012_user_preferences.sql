-- Saved preferences: a user's defaults for the route requests that leave them out.
-- Ranges are checked by the domain (the same as a route request's).
CREATE TABLE user_preferences (
    user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    themes           text[] NOT NULL DEFAULT '{}',
    duration_minutes double precision,  -- NULL: no default, requests must state it
    pace             double precision NOT NULL,
    updated_at       timestamptz NOT NULL
);
