// The page's two ways to the API (docs/api.md): JSON requests, and the status WebSocket.
"use strict";

window.WildsideApi = (() => {
  // One call; a problem (RFC 9457) becomes an Error carrying its detail and status.
  async function request(method, path, body, token) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
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

  // A socket subscribed to one request's status. The token travels as a subprotocol, never in
  // the URL; without one the session cookie goes with the same-origin handshake.
  function statusSocket(requestId, token) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const protocols = token ? ["wildside.v1", `bearer.${token}`] : ["wildside.v1"];
    const socket = new WebSocket(`${scheme}//${window.location.host}/ws`, protocols);
    socket.onopen = () => socket.send(JSON.stringify(
      { type: "subscribe", channel: "route_generation_status", request_id: requestId }));
    return socket;
  }

  return { request, statusSocket };
})();
