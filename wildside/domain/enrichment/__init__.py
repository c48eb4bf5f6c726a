"""Overpass enrichment: the area to fetch, the query, and the policies that keep us polite."""
