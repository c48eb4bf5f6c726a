// The map's style: a blank background, the walking network and places from our own vector
// tiles, and the tour layers. Nothing outside this origin: no basemap, no glyphs, no sprites.
"use strict";

window.WildsideStyle = (() => {
  // The themes of docs/api.md (POST /api/v1/routes, "preferences"); colours live in map.css.
  const THEMES = ["architecture", "art", "culture", "food", "history", "nature", "religion", "views"];
  const OSM = '<a href="https://www.openstreetmap.org/copyright">© OpenStreetMap contributors</a>';
  // The server's own zoom caps (wildside/domain/vector_tiles.py): the layers ask for no tile
  // below them, so a low zoom never pulls a whole city's network, from us or from Martin.
  const WALK_MINZOOM = 13;
  const POIS_MINZOOM = 12;
  const TILES_MAXZOOM = 18;
  const EMPTY = { type: "FeatureCollection", features: [] };

  function cssColour(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function themeColours() {
    return Object.fromEntries(THEMES.map((theme) => [theme, cssColour(`--theme-${theme}`, "#6b7280")]));
  }

  // `themes` is PostgreSQL's text form of the array ("{art,culture}"), as ST_AsMVT and Martin
  // write it; a place takes the colour of its first theme. No theme name is a prefix of
  // another, so "{art" can only be art.
  function themeColourExpression(colours) {
    const cases = [];
    for (const theme of THEMES) {
      cases.push(["==", ["index-of", `{${theme}`, ["to-string", ["get", "themes"]]], 0], colours[theme]);
    }
    return ["case", ...cases, cssColour("--theme-none", "#6b7280")];
  }

  // Same-origin tile URLs in the production gateway's scheme (/tiles/{source}/{z}/{x}/{y}.pbf),
  // built from this page's origin, so a TLS-terminating proxy never turns them into http:.
  function vectorSource(name, minzoom) {
    const origin = window.location.origin;
    return {
      type: "vector",
      tiles: [`${origin}/tiles/${name}/{z}/{x}/{y}.pbf`],
      minzoom,
      maxzoom: TILES_MAXZOOM,
      attribution: OSM,
    };
  }

  function build() {
    const colours = themeColours();
    return {
      version: 8,
      sources: {
        walk: vectorSource("walk_edges", WALK_MINZOOM),
        pois: vectorSource("pois", POIS_MINZOOM),
        alternatives: { type: "geojson", data: EMPTY },
        route: { type: "geojson", data: EMPTY },
        skipped: { type: "geojson", data: EMPTY },
        start: { type: "geojson", data: EMPTY },
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": cssColour("--map-ground", "#eef1ea") } },
        {
          id: "walk-edges", type: "line", source: "walk", "source-layer": "walk_edges", minzoom: WALK_MINZOOM,
          layout: { "line-join": "round", "line-cap": "round" },
          paint: {
            // Streets a little darker than paths, so the network reads as a street map.
            "line-color": [
              "match", ["get", "highway"],
              ["footway", "path", "pedestrian", "steps", "cycleway", "track", "bridleway"], cssColour("--walk-path", "#a8a29e"),
              cssColour("--walk-street", "#78716c"),
            ],
            "line-width": ["interpolate", ["linear"], ["zoom"], 13, 0.5, 16, 1.5, 18, 4],
            "line-opacity": 0.8,
          },
        },
        {
          id: "alternatives", type: "line", source: "alternatives",
          layout: { "line-join": "round", "line-cap": "round" },
          paint: { "line-color": cssColour("--tour-other", "#6d28d9"), "line-width": 3, "line-opacity": 0.35 },
        },
        {
          id: "route-casing", type: "line", source: "route",
          layout: { "line-join": "round", "line-cap": "round" },
          paint: { "line-color": "#ffffff", "line-width": 8 },
        },
        {
          id: "route", type: "line", source: "route",
          layout: { "line-join": "round", "line-cap": "round" },
          paint: { "line-color": cssColour("--tour", "#c2410c"), "line-width": 4 },
        },
        {
          id: "pois", type: "circle", source: "pois", "source-layer": "pois", minzoom: POIS_MINZOOM,
          layout: { "circle-sort-key": ["to-number", ["get", "popularity"], 0] },
          paint: {
            "circle-color": themeColourExpression(colours),
            "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 2, 15, 4.5, 18, 8],
            "circle-stroke-color": "#ffffff",
            "circle-stroke-width": 1,
            "circle-opacity": 0.85,
          },
        },
        {
          id: "skipped", type: "circle", source: "skipped",
          paint: {
            "circle-radius": 7, "circle-color": "#ffffff", "circle-opacity": 0.6,
            "circle-stroke-color": cssColour("--skipped", "#6b7280"), "circle-stroke-width": 2,
          },
        },
        {
          id: "start", type: "circle", source: "start",
          paint: {
            "circle-radius": 8, "circle-color": cssColour("--start", "#1d4ed8"),
            "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
          },
        },
      ],
    };
  }

  // Places of the chosen themes stand out; the others fade (all show when none is chosen).
  function placeOpacity(themes) {
    if (!themes.length) return 0.85;
    const matches = themes.map((theme) => [">=", ["index-of", theme, ["to-string", ["get", "themes"]]], 0]);
    return ["case", ["any", ...matches], 0.95, 0.2];
  }

  return { THEMES, OSM, EMPTY, build, placeOpacity };
})();
