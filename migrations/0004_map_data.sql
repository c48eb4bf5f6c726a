-- Points of interest and the walking network, from OSM extracts and Overpass.
CREATE TABLE pois (
    element_type text NOT NULL CHECK (element_type IN ('node', 'way', 'relation')),
    id           bigint NOT NULL,
    name         text,
    location     geography(Point, 4326) NOT NULL,
    tags         jsonb NOT NULL DEFAULT '{}'::jsonb,
    themes       text[] NOT NULL DEFAULT '{}',
    popularity   real NOT NULL DEFAULT 0 CHECK (popularity BETWEEN 0 AND 1),
    -- Provenance: where the row last came from, and when.
    source       text NOT NULL,
    source_url   text,
    source_bbox  geometry(Polygon, 4326),
    fetched_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (element_type, id)
);
CREATE INDEX pois_location_gix ON pois USING gist (location);
CREATE INDEX pois_themes_gin ON pois USING gin (themes);

-- Graph vertices: junctions and dead ends of walkable ways (OSM node ids).
CREATE TABLE walk_nodes (
    id       bigint PRIMARY KEY,
    geom     geometry(Point, 4326) NOT NULL
);
CREATE INDEX walk_nodes_geom_gix ON walk_nodes USING gist (geom);

-- Graph edges: a walkable way split at shared nodes; undirected for walking.
CREATE TABLE walk_edges (
    way_id   bigint NOT NULL,
    seq      integer NOT NULL,
    source   bigint NOT NULL,
    target   bigint NOT NULL,
    length_m double precision NOT NULL CHECK (length_m >= 0),
    highway  text NOT NULL,
    geom     geometry(LineString, 4326) NOT NULL,
    PRIMARY KEY (way_id, seq)
);
CREATE INDEX walk_edges_source_idx ON walk_edges (source);
CREATE INDEX walk_edges_target_idx ON walk_edges (target);
CREATE INDEX walk_edges_geom_gix ON walk_edges USING gist (geom);

-- One row per successful import: the newest id is the data version a route reports.
CREATE TABLE map_imports (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    counts      jsonb NOT NULL
);
