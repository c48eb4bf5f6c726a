-- Vector tiles for Martin: POIs and walking edges in Web Mercator (EPSG:3857),
-- in a schema of their own, readable by one role that can read nothing else.
--
-- Generated columns keep the 3857 geometry next to the source geometry, so a
-- GiST index serves Martin's `geom && ST_TileEnvelope(z, x, y)` directly.
ALTER TABLE pois
    ADD COLUMN geom_3857 geometry(Point, 3857)
    GENERATED ALWAYS AS (ST_Transform(location::geometry, 3857)) STORED;
CREATE INDEX pois_geom_3857_gix ON pois USING gist (geom_3857);

ALTER TABLE walk_edges
    ADD COLUMN geom_3857 geometry(LineString, 3857)
    GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX walk_edges_geom_3857_gix ON walk_edges USING gist (geom_3857);

CREATE SCHEMA IF NOT EXISTS tiles;

-- What a map needs, nothing more (no tags blob, no provenance).
CREATE VIEW tiles.pois AS
SELECT element_type || '/' || id AS id, name, themes, popularity, geom_3857 AS geom
FROM public.pois;

CREATE VIEW tiles.walk_edges AS
SELECT way_id, seq, highway, length_m, geom_3857 AS geom
FROM public.walk_edges;

-- The role Martin's login role is granted (roles are cluster-wide: create it once).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wildside_tiles_reader') THEN
        CREATE ROLE wildside_tiles_reader NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA tiles TO wildside_tiles_reader;
GRANT SELECT ON tiles.pois, tiles.walk_edges TO wildside_tiles_reader;
-- The views read the base tables with their owner's rights; the reader gets
-- nothing on the base tables or any other schema object.
REVOKE ALL ON SCHEMA public FROM wildside_tiles_reader;
