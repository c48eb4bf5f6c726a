"""OpenStreetMap extract reading with pyosmium, shapely and pyproj."""
