// The Wildside map page: sign in, set a start, request a tour, follow it over /ws, draw it.
// Plain JavaScript, no build step; the only library is MapLibre GL JS (CSP build, self-hosted).
// map-style.js builds the style, tour-view.js renders a final tour, api.js talks to the API;
// this file wires the page.
"use strict";

(() => {
  const { THEMES, EMPTY } = window.WildsideStyle;
  const view = window.WildsideTourView;
  const DEFAULT_CENTER = [24.9441, 60.1712]; // central Helsinki, the bundled sample extract
  const MAX_POLL_WAIT_MS = 2000;

  const state = {
    signedIn: false, token: null, start: null, requestId: null, route: null, tours: [],
    selected: 0, markers: [], via: null, candidates: 0,
  };
  const $ = (id) => document.getElementById(id);

  // The worker runs from our own origin, so the CSP needs no blob: worker.
  maplibregl.setWorkerUrl("/static/vendor/maplibre-gl-csp-worker.js");

  const query = new URLSearchParams(window.location.search);
  const center = [
    Number(query.get("lng")) || DEFAULT_CENTER[0],
    Number(query.get("lat")) || DEFAULT_CENTER[1],
  ];
  // No basemap: the page needs no internet. A plain background, the walking network and the
  // places from this server's vector tiles (/tiles), and the tour's own walking path.
  const map = new maplibregl.Map({
    container: "map",
    center,
    zoom: 14,
    attributionControl: { compact: window.matchMedia("(max-width: 700px)").matches },
    style: window.WildsideStyle.build(),
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  const ready = new Promise((resolve) => map.on("load", resolve));

  // What the map has drawn, for people reading the page's state and for the browser tests:
  // data-walk-edges and data-pois count the features on screen once the map is idle.
  function renderedCount(layer) {
    return map.getLayer(layer) ? map.queryRenderedFeatures({ layers: [layer] }).length : 0;
  }
  map.on("idle", () => {
    const box = map.getContainer();
    box.dataset.walkEdges = String(renderedCount("walk-edges"));
    box.dataset.pois = String(renderedCount("pois"));
  });

  function say(text, isError = false) {
    $("status").textContent = text;
    $("status").classList.toggle("error", isError);
  }

  const api = (method, path, body) => window.WildsideApi.request(method, path, body, state.token);

  async function whoAmI() {
    try {
      const me = await api("GET", "/api/v1/me");
      state.signedIn = true;
      $("who").textContent = `Signed in as ${me.body.username}.`;
      $("signin").open = false;
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

  // Places of the chosen themes stand out on the map (they are what the tour will favour).
  async function highlightThemes() {
    await ready;
    map.setPaintProperty("pois", "circle-opacity", window.WildsideStyle.placeOpacity(selectedThemes()));
  }

  // A click on a place: its name and themes, and a button to start the tour there.
  function showPlace(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    const popup = new maplibregl.Popup({ closeButton: true, maxWidth: "240px" });
    const card = view.placeCard(feature.properties, () => {
      popup.remove();
      setStart(lat, lng);
    });
    popup.setLngLat([lng, lat]).setDOMContent(card).addTo(map);
  }

  async function setStart(lat, lng) {
    state.start = { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) };
    await ready;
    map.getSource("start").setData({
      type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [lng, lat] },
    });
    $("start-label").textContent = `Start: ${state.start.lat}, ${state.start.lng}`;
    $("plan").disabled = false;
  }

  function clearDrawnTour() {
    for (const marker of state.markers) marker.remove();
    state.markers = [];
    $("stops").replaceChildren();
    $("summary").textContent = "";
    map.getSource("route").setData(EMPTY);
  }

  function clearTour() {
    clearDrawnTour();
    state.route = null;
    state.tours = [];
    state.selected = 0;
    $("notes").replaceChildren();
    $("tours").replaceChildren();
    $("tours-box").hidden = true;
    $("skipped").replaceChildren();
    $("skipped-box").hidden = true;
    map.getSource("alternatives").setData(EMPTY);
    map.getSource("skipped").setData(EMPTY);
  }

  function addMarker(stop, number, title) {
    const element = view.element("div", "stop-marker", String(number));
    element.title = title;
    state.markers.push(new maplibregl.Marker({ element }).setLngLat([stop.lng, stop.lat]).addTo(map));
  }

  function showProgress(status, progress) {
    $("progress").hidden = false;
    $("progress").value = progress || 0;
    say(`Tour ${status}${progress !== undefined ? ` (${progress} %)` : ""}…`);
  }

  // A better tour found while the search goes on.
  function showCandidate(candidate) {
    // Straight lines between the stops so far (path_kind "straight"); no reasons or times yet.
    clearTour();
    map.getSource("route").setData({ type: "Feature", properties: {}, geometry: candidate.path });
    for (const stop of candidate.stops) addMarker(stop, stop.order, `${stop.order}. ${stop.name || stop.id}`);
    say(`Improving the tour: ${candidate.stops.length} stops so far.`);
  }

  // One of the final tours: drawn in full, its stops listed and numbered, the others faint.
  function selectTour(index) {
    const route = state.route;
    const tour = state.tours[index];
    if (!route || !tour) return false;
    state.selected = index;
    clearDrawnTour();
    map.getSource("route").setData({ type: "Feature", properties: {}, geometry: tour.path });
    map.getSource("alternatives").setData(view.others(state.tours, index));
    view.renderChoices(state.tours, index, selectTour);
    view.renderStops(tour, addMarker);
    map.getSource("skipped").setData(view.renderSkipped(tour.skipped || route.skipped));
    $("summary").textContent = view.summary(route, state.tours, index);
    return true;
  }

  // Every tour in view, once: a switch then shows the choice without moving the map.
  function fitTours() {
    const coordinates = state.tours.flatMap((each) => (each.path ? each.path.coordinates : []));
    if (coordinates.length < 2) return;
    const bounds = coordinates.reduce(
      (box, point) => box.extend(point), new maplibregl.LngLatBounds(coordinates[0], coordinates[0]));
    // Room for the markers (24 px) and, on the right, the zoom buttons.
    const narrow = window.matchMedia("(max-width: 700px)").matches;
    const padding = narrow ? { top: 28, bottom: 36, left: 28, right: 56 } : 48;
    map.fitBounds(bounds, { padding, duration: 0 });
  }

  function showRoute(route) {
    clearTour();
    state.route = route;
    state.tours = view.toursOf(route);
    for (const note of route.notes || []) $("notes").append(view.element("li", null, note));
    selectTour(0);
    fitTours();
    $("progress").hidden = true;
    say("Your tour is ready.");
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

  // docs/api.md, "WebSocket": progress, better tours while the search goes on, then the end.
  function follow(requestId) {
    const socket = window.WildsideApi.statusSocket(requestId, state.token);
    let finished = false;
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
    const tours = Number($("alternatives").value);
    if (tours > 1) body.alternatives = tours; // docs/api.md: k distinct tours in one job
    if ($("end-mode").value === "anywhere") body.end = "anywhere";
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
    box.addEventListener("change", highlightThemes);
    const swatch = view.element("span", `swatch theme-${theme}`);
    swatch.setAttribute("aria-hidden", "true");
    label.append(box, swatch, ` ${theme}`);
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
  // A click on a place tells about it (and offers to start there); anywhere else sets the start.
  map.on("click", (event) => {
    const places = map.getLayer("pois") ? map.queryRenderedFeatures(event.point, { layers: ["pois"] }) : [];
    if (places.length) showPlace(places[0]);
    else setStart(event.lngLat.lat, event.lngLat.lng);
  });
  map.on("mouseenter", "pois", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "pois", () => { map.getCanvas().style.cursor = ""; });
  whoAmI(); // a session cookie from an earlier visit signs the page in

  // For scripts and the browser tests: the same actions a person takes.
  window.wildside = {
    map, ready, state, setStart, useToken, login, submitTour, showRoute, selectTour, renderedCount,
  };
})();
