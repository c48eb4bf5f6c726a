-- OSM attribution in the tiles' TileJSON. Martin merges a JSON comment on a table or
-- view into that source's TileJSON (RFC 7386 merge patch); its config file has no
-- attribution for PostgreSQL sources. The ODbL requires the credit wherever the data
-- is shown, so it travels with the data rather than with one deployment's settings.
COMMENT ON VIEW tiles.pois IS
    '{"attribution": "<a href=\"https://www.openstreetmap.org/copyright\">© OpenStreetMap contributors</a>", "description": "Wildside points of interest"}';
COMMENT ON VIEW tiles.walk_edges IS
    '{"attribution": "<a href=\"https://www.openstreetmap.org/copyright\">© OpenStreetMap contributors</a>", "description": "Wildside walking network"}';
