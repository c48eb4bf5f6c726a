// The final tour on the page: the tours to choose from (route.alternatives), the chosen one's
// path, numbered stops with reasons and opening state, the others faint, and skipped places;
// and the card a click on a place opens.
// Fields other branches may add (stop.opening, route.skipped) are shown when present.
"use strict";

window.WildsideTourView = (() => {
  const $ = (id) => document.getElementById(id);

  function minutes(seconds) {
    return Math.round(seconds / 60);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // "open" | "unknown" (| "closed"), or an object saying so ({state|status, hours, …}).
  function openingText(opening) {
    if (opening === undefined || opening === null) return null;
    const state = typeof opening === "string" ? opening : opening.state || opening.status || opening.at_arrival;
    const words = {
      open: "open when you arrive",
      unknown: "opening hours unknown",
      closed: "closed when you arrive",
    }[state] || (state ? String(state) : null);
    const hours = typeof opening === "object" ? opening.hours || opening.opening_hours : null;
    return words && hours ? `${words} (${hours})` : words;
  }

  function openingState(opening) {
    if (opening === undefined || opening === null) return "";
    return typeof opening === "string" ? opening : String(opening.state || opening.status || "");
  }

  // The route and its alternatives as one list, best first (the route is the best).
  function toursOf(route) {
    const main = {
      seed: route.seed, score: route.score, distance_m: route.distance_m, used_s: route.used_s,
      stops: route.stops, path: route.path, skipped: route.skipped,
    };
    return [main, ...(route.alternatives || [])];
  }

  function describeTour(tour, index) {
    const label = index === 0 ? "Best tour" : `Tour ${index + 1}`;
    return `${label}: ${tour.stops.length} stops, ${(tour.distance_m / 1000).toFixed(1)} km, ` +
      `${minutes(tour.used_s)} min`;
  }

  function renderChoices(tours, selected, onSelect) {
    const list = $("tours");
    list.replaceChildren();
    $("tours-box").hidden = tours.length < 2;
    if (tours.length < 2) return; // one tour: nothing to choose between
    tours.forEach((tour, index) => {
      const button = element("button", "tour-choice", describeTour(tour, index));
      button.type = "button";
      button.dataset.index = String(index);
      button.setAttribute("aria-pressed", String(index === selected));
      button.addEventListener("click", () => onSelect(index));
      const item = element("li");
      item.append(button);
      list.append(item);
    });
  }

  function renderStops(tour, addMarker) {
    tour.stops.forEach((stop, index) => {
      const number = index + 1;
      const name = stop.name || stop.id;
      addMarker(stop, number, `${number}. ${name}: ${stop.reason}`);
      const item = element("li");
      const state = openingState(stop.opening);
      if (state) item.dataset.opening = state;
      item.append(element("strong", null, name), element("span", "reason", stop.reason));
      let when = `arrive after ${minutes(stop.arrival_offset_s)} min, stay ${minutes(stop.dwell_s)} min`;
      const opening = openingText(stop.opening);
      if (opening) when += ` · ${opening}`;
      item.append(element("span", "when", when));
      $("stops").append(item);
    });
  }

  // route.skipped: good places left out because closed; strings or objects, tolerated.
  function renderSkipped(skipped) {
    const list = $("skipped");
    list.replaceChildren();
    const places = Array.isArray(skipped) ? skipped : [];
    $("skipped-box").hidden = places.length === 0;
    const features = [];
    for (const place of places) {
      if (typeof place === "string") {
        list.append(element("li", null, place));
        continue;
      }
      const name = place.name || place.id || "a place";
      const why = place.reason || openingText(place.opening) || (place.opening_hours ? `hours ${place.opening_hours}` : "");
      list.append(element("li", null, why ? `${name}: ${why}` : name));
      if (Number.isFinite(place.lng) && Number.isFinite(place.lat)) {
        features.push({ type: "Feature", properties: { name }, geometry: { type: "Point", coordinates: [place.lng, place.lat] } });
      }
    }
    return { type: "FeatureCollection", features };
  }

  function summary(route, tours, index) {
    const tour = tours[index];
    const which = tours.length > 1 ? ` (${index === 0 ? "the best" : `tour ${index + 1}`} of ${tours.length})` : "";
    return `${tour.stops.length} stops, ${(tour.distance_m / 1000).toFixed(1)} km, ` +
      `${minutes(tour.used_s)} of ${minutes(route.budget_s)} min${which}. ${route.attribution}`;
  }

  // A place of the pois tiles (id, name, themes as "{art,culture}") and a "Start here" button.
  function placeCard(properties, onStart) {
    const card = element("div", "place");
    card.append(element("strong", null, properties.name || properties.id));
    const themes = String(properties.themes || "").replace(/[{}]/g, "").split(",").filter(Boolean);
    if (themes.length) card.append(element("span", "themes", themes.join(", ")));
    const button = element("button", null, "Start here");
    button.type = "button";
    button.addEventListener("click", onStart);
    card.append(button);
    return card;
  }

  function others(tours, selected) {
    return {
      type: "FeatureCollection",
      features: tours
        .map((tour, index) => ({ type: "Feature", properties: { index }, geometry: tour.path }))
        .filter((feature, index) => index !== selected && feature.geometry),
    };
  }

  return {
    minutes, element, toursOf, renderChoices, renderStops, renderSkipped, summary, placeCard, others, openingText,
  };
})();
