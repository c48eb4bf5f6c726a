-- Walking-graph tiles: the walk_nodes/walk_edges of one cell of a fixed degree grid
-- (wildside/domain/walk_tiles.py) packed as one blob, so a worker loads only the cells
-- a tour can reach. Rebuilt in the transaction that finishes an import, for the cells
-- that import touched; `version` is that import's map_imports id.
CREATE TABLE walk_tiles (
    x              integer NOT NULL,
    y              integer NOT NULL,
    format_version smallint NOT NULL,
    version        bigint NOT NULL,
    node_count     integer NOT NULL CHECK (node_count > 0),
    arc_count      integer NOT NULL CHECK (arc_count >= 0),
    byte_size      integer NOT NULL CHECK (byte_size > 0),
    data           bytea NOT NULL,
    built_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (x, y)
);
-- Blobs are already dense binary: keep them out of TOAST compression.
ALTER TABLE walk_tiles ALTER COLUMN data SET STORAGE EXTERNAL;
