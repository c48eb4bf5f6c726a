"""Overpass API adapters: aiohttp transport and the pure reading of Overpass answers."""
