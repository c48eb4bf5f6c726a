// The Wildside map page: sign in, set a start, request a tour, follow it over /ws, draw it.
// Plain JavaScript, no build step; the only library is MapLibre GL JS (CSP build, self-hosted).
"use strict";

(() => {
  // The themes of docs/api.md (POST /api/v1/routes, "preferences").
  const THEMES = ["architecture", "art", "culture", "food", "history", "nature", "religion", "views"];
  const DEFAULT_CENTER = [24.9441, 60.1712]; // central Helsinki, the bundled sample extract
  const PLACES_RADIUS_M = 1500;
  const PLACES_LIMIT = 200;
  const MAX_POLL_WAIT_MS = 2000;
  const EMPTY = { type: "FeatureCollection", features: [] };

  const state = { signedIn: false, token: null, start: null, requestId: null, route: null, markers: [], via: null, candidates: 0 };
  const $ = (id) => document.getElementById(id);

  // The worker runs from our own origin, so the CSP needs no blob: worker.
  maplibregl.setWorkerUrl("/static/vendor/maplibre-gl-csp-worker.js");

  const query = new URLSearchParams(window.location.search);
  const center = [
    Number(query.get("lng")) || DEFAULT_CENTER[0],
    Number(query.get("lat")) || DEFAULT_CENTER[1],
  ];
  // No tiles: the page needs no internet. A plain background, the places the
  // server knows, and the tour's own walking path.
  const map = new maplibregl.Map({
    container: "map",
    center,
    zoom: 14,
    attributionControl: { customAttribution: "© OpenStreetMap contributors (ODbL)" },
    style: {
      version: 8,
      sources: {
        places: { type: "geojson", data: EMPTY },
        route: { type: "geojson", data: EMPTY },
        start: { type: "geojson", data: EMPTY },
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
        {
          id: "places", type: "circle", source: "places",
          paint: { "circle-radius": 4, "circle-color": "#4d7c0f", "circle-opacity": 0.6 },
        },
        {
          id: "route-casing", type: "line", source: "route",
          layout: { "line-join": "round", "line-cap": "round" },
          paint: { "line-color": "#ffffff", "line-width": 8 },
        },
        {
          id: "route", type: "line", source: "route",
          layout: { "line-join": "round", "line-cap": "round" },
          paint: { "line-color": "#c2410c", "line-width": 4 },
        },
        {
          id: "start", type: "circle", source: "start",
          paint: {
            "circle-radius": 8, "circle-color": "#1d4ed8",
            "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
          },
        },
      ],
    },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  const ready = new Promise((resolve) => map.on("load", resolve));

  function say(text, isError = false) {
    $("status").textContent = text;
    $("status").classList.toggle("error", isError);
  }

  function credentials() {
    return state.token ? { Authorization: `Bearer ${state.token}` } : {};
  }

  // One call to the API; a problem (RFC 9457) becomes an Error carrying its detail.
  async function api(method, path, body) {
    const headers = { Accept: "application/json", ...credentials() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const payload = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = new Error((payload && (payload.detail || payload.title)) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return { status: response.status, body: payload, headers: response.headers };
  }

  async function whoAmI() {
    try {
      const me = await api("GET", "/api/v1/me");
      state.signedIn = true;
      $("who").textContent = `Signed in as ${me.body.username}.`;
      $("signin").open = false;
      if (state.start) loadPlaces();
      return true;
    } catch (error) {
      state.signedIn = false;
      $("who").textContent = error.status === 401 ? "Not signed in." : error.message;
      return false;
    }
  }

  const CHECKING = "Checking…";

  async function useToken(token) {
    state.token = token.trim() || null;
    $("who").textContent = CHECKING;
    return whoAmI();
  }

  async function login(username, password) {
    state.token = null;
    $("who").textContent = CHECKING;
    try {
      await api("POST", "/api/v1/login", { username, password });
    } catch (error) {
      $("who").textContent = `Sign-in failed: ${error.message}`;
      return false;
    }
    return whoAmI();
  }

  function selectedThemes() {
    return [...document.querySelectorAll("#themes input:checked")].map((box) => box.value);
  }

  async function loadPlaces() {
    if (!state.start || !state.signedIn) return; // the places are for signed-in users
    const params = new URLSearchParams({
      lat: state.start.lat, lng: state.start.lng, radius_m: PLACES_RADIUS_M, limit: PLACES_LIMIT,
    });
    for (const theme of selectedThemes()) params.append("themes", theme);
    try {
      const places = await api("GET", `/api/v1/pois?${params}`);
      await ready;
      map.getSource("places").setData(places.body);
    } catch (error) {
      say(`Places: ${error.message}`, true);
    }
  }

  async function setStart(lat, lng) {
    state.start = { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) };
    await ready;
    map.getSource("start").setData({
      type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [lng, lat] },
    });
    $("start-label").textContent = `Start: ${state.start.lat}, ${state.start.lng}`;
    $("plan").disabled = false;
    loadPlaces();
  }

  function clearTour() {
    for (const marker of state.markers) marker.remove();
    state.markers = [];
    state.route = null;
    $("stops").replaceChildren();
    $("notes").replaceChildren();
    $("summary").textContent = "";
    map.getSource("route").setData(EMPTY);
  }

  function showProgress(status, progress) {
    $("progress").hidden = false;
    $("progress").value = progress || 0;
    say(`Tour ${status}${progress !== undefined ? ` (${progress} %)` : ""}…`);
  }

  function minutes(seconds) {
    return Math.round(seconds / 60);
  }

  // A final tour, or (final = false) a better one found while the search goes on.
  function showCandidate(candidate) {
    // Straight lines between the stops so far (path_kind "straight"); no reasons or times yet.
    clearTour();
    map.getSource("route").setData({ type: "Feature", properties: {}, geometry: candidate.path });
    for (const stop of candidate.stops) {
      const element = document.createElement("div");
      element.className = "stop-marker";
      element.textContent = String(stop.order);
      element.title = `${stop.order}. ${stop.name || stop.id}`;
      state.markers.push(new maplibregl.Marker({ element }).setLngLat([stop.lng, stop.lat]).addTo(map));
    }
    say(`Improving the tour: ${candidate.stops.length} stops so far.`);
  }

  function showRoute(route, final = true) {
    clearTour();
    if (final) state.route = route;
    map.getSource("route").setData({ type: "Feature", properties: {}, geometry: route.path });
    route.stops.forEach((stop, index) => {
      const element = document.createElement("div");
      element.className = "stop-marker";
      element.textContent = String(index + 1);
      element.title = `${index + 1}. ${stop.name}: ${stop.reason}`;
      state.markers.push(new maplibregl.Marker({ element }).setLngLat([stop.lng, stop.lat]).addTo(map));
      const item = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = stop.name;
      const reason = document.createElement("span");
      reason.className = "reason";
      reason.textContent = stop.reason;
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = `arrive after ${minutes(stop.arrival_offset_s)} min, stay ${minutes(stop.dwell_s)} min`;
      item.append(name, reason, when);
      $("stops").append(item);
    });
    for (const note of route.notes || []) {
      const item = document.createElement("li");
      item.textContent = note;
      $("notes").append(item);
    }
    $("summary").textContent =
      `${route.stops.length} stops, ${(route.distance_m / 1000).toFixed(1)} km, ` +
      `${minutes(route.used_s)} of ${minutes(route.budget_s)} min. ${route.attribution}`;
    const coordinates = route.path.coordinates;
    if (coordinates.length > 1) {
      const bounds = coordinates.reduce(
        (box, point) => box.extend(point), new maplibregl.LngLatBounds(coordinates[0], coordinates[0]));
      map.fitBounds(bounds, { padding: 40, duration: 0 });
    }
    if (final) {
      $("progress").hidden = true;
      say("Your tour is ready.");
    }
  }

  async function fetchRoute(requestId) {
    const answer = await api("GET", `/api/v1/routes/${requestId}`);
    if (answer.status === 200) {
      showRoute(answer.body.route);
      return true;
    }
    showProgress(answer.body.status, answer.body.progress);
    return false;
  }

  // Without a socket (a proxy that refuses upgrades), ask the API until the tour is ready.
  async function poll(requestId) {
    state.via = "polling";
    while (state.requestId === requestId) {
      try {
        if (await fetchRoute(requestId)) return;
      } catch (error) {
        say(error.message, true);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, MAX_POLL_WAIT_MS));
    }
  }

  // docs/api.md, "WebSocket": the token travels as a subprotocol, never in the URL.
  function follow(requestId) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const protocols = state.token ? ["wildside.v1", `bearer.${state.token}`] : ["wildside.v1"];
    const socket = new WebSocket(`${scheme}//${window.location.host}/ws`, protocols);
    let finished = false;
    socket.onopen = () => socket.send(JSON.stringify(
      { type: "subscribe", channel: "route_generation_status", request_id: requestId }));
    socket.onmessage = async (event) => {
      const message = JSON.parse(event.data);
      if (message.request_id !== requestId || state.requestId !== requestId) return;
      if (message.type === "route_candidate") {
        // A better tour found while the job runs (docs/api.md): drawn at once, replaced later.
        state.candidates += 1;
        showCandidate(message);
      } else if (message.type === "error") {
        finished = true;
        socket.close();
        poll(requestId);
      } else if (message.type === "route_generation_status") {
        state.via = "socket";
        showProgress(message.status, message.progress);
        if (message.status === "succeeded" || message.status === "failed") {
          finished = true;
          socket.close();
          try {
            await fetchRoute(requestId);
          } catch (error) {
            $("progress").hidden = true;
            say(`The tour could not be planned: ${error.message}`, true);
          }
        }
      }
    };
    socket.onclose = () => {
      if (!finished) poll(requestId);
    };
  }

  async function submitTour() {
    if (!state.start) return null;
    clearTour();
    state.via = null;
    state.candidates = 0;
    const body = {
      start: state.start,
      duration_minutes: Number($("minutes").value),
      preferences: selectedThemes(),
    };
    try {
      const accepted = await api("POST", "/api/v1/routes", body);
      state.requestId = accepted.body.request_id;
      showProgress("queued", 0);
      follow(state.requestId);
      return state.requestId;
    } catch (error) {
      say(error.message, true);
      return null;
    }
  }

  for (const theme of THEMES) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = theme;
    box.addEventListener("change", loadPlaces);
    label.append(box, ` ${theme}`);
    $("themes").append(label);
  }
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    useToken($("token").value);
  });
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    login($("username").value, $("password").value);
  });
  $("tour-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submitTour();
  });
  map.on("click", (event) => setStart(event.lngLat.lat, event.lngLat.lng));
  whoAmI(); // a session cookie from an earlier visit signs the page in

  // For scripts and the browser tests: the same actions a person takes.
  window.wildside = { map, ready, state, setStart, useToken, login, submitTour };
})();
