-- Saved routes: a user's copy of a succeeded route, kept until the user deletes it.
-- No foreign key to route_requests: the request and its result expire after 24 h
-- (maintenance deletes them), the saved copy must not go with them.
CREATE TABLE saved_routes (
    saved_id   uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    request_id uuid NOT NULL,
    title      text CHECK (title IS NULL OR length(title) BETWEEN 1 AND 120),
    payload    jsonb NOT NULL,         -- the request's parameters (RouteSpec document)
    result     jsonb NOT NULL,         -- the RouteResult with its shape version
    distance_m integer NOT NULL,       -- summary figures, so a list never reads the geometry
    stop_count integer NOT NULL,
    used_s     double precision NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT saved_routes_once_per_request UNIQUE (user_id, request_id)
);
-- A user's list, newest first, paged by (created_at, saved_id).
CREATE INDEX saved_routes_user_idx ON saved_routes (user_id, created_at DESC, saved_id DESC);
