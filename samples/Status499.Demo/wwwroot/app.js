// The sample's home page: plain browser JavaScript, no framework, nothing from another origin.
"use strict";

const layerUrl = "/arcgis/rest/services/Demo/FeatureServer/0";
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// 1. Client Closed Request: start a request, abort it from the browser, watch the counters.

const cases = {
  slow: { method: "GET", path: "/slow" },
  ignores: { method: "GET", path: "/ignores-token" },
  // Continues after the client left: the order is saved anyway (GET /orders counts them).
  orders: { method: "POST", path: "/orders" },
  // A body big enough to still be uploading when the abort comes (the server reads it slowly). Made once, at load:
  // handing 16 MB to the browser takes a moment, which would otherwise delay the request past the abort.
  upload: { method: "POST", path: "/upload", body: (() => { const blob = new Blob([new Uint8Array(16 * 1024 * 1024)]); return () => blob; })() },
  // Reads the stream as it comes, so the abort lands after the headers and the first chunks.
  stream: { method: "GET", path: "/stream", read: true },
};

for (const button of document.querySelectorAll("button[data-case]")) {
  button.addEventListener("click", () => startAndAbort(button.dataset.case));
}

async function startAndAbort(name) {
  const c = cases[name];
  const delay = Math.max(50, Number($("delay").value) || 700);
  const item = document.createElement("li");
  item.textContent = `${c.method} ${c.path}: started, aborting after ${delay} ms…`;
  $("attempts").prepend(item);
  while ($("attempts").children.length > 6) $("attempts").lastElementChild.remove();

  const controller = new AbortController();
  const started = performance.now();
  const timer = setTimeout(() => controller.abort(), delay);
  let received = 0;
  try {
    const response = await fetch(c.path, { method: c.method, body: c.body?.(), signal: controller.signal, cache: "no-store" });
    if (c.read) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
    } else {
      await response.text();
    }
    item.textContent = `${c.method} ${c.path}: finished (${response.status}) before the abort: try a shorter delay.`;
  } catch (e) {
    const ms = Math.round(performance.now() - started);
    item.textContent = e.name === "AbortError"
      ? `${c.method} ${c.path}: aborted by the browser after ${ms} ms${received ? `, ${received} bytes of the stream received` : ""}.`
      : `${c.method} ${c.path}: ${e.message}`;
  } finally {
    clearTimeout(timer);
  }
}

// The counters arrive as server-sent events; polling /demo/counters would do as well.
function connectCounters() {
  const events = new EventSource("/demo/counters/stream");
  events.onopen = () => ($("stream-state").textContent = "live");
  events.onerror = () => ($("stream-state").textContent = "reconnecting…");
  events.onmessage = (m) => showCounters(JSON.parse(m.data));
}

function showCounters(snapshot) {
  $("total").textContent = snapshot.total;
  document.body.dataset.total499 = snapshot.total;
  const body = $("counter-table").tBodies[0];
  body.replaceChildren();
  if (snapshot.byRoute.length === 0) {
    body.innerHTML = '<tr class="empty"><td colspan="3">none yet: press a button</td></tr>';
  }
  for (const row of snapshot.byRoute) {
    const tr = body.insertRow();
    tr.dataset.route = row.route;
    tr.dataset.phase = row.phase;
    for (const value of [row.route, row.phase, row.count]) tr.insertCell().textContent = value;
  }
  drawChart(snapshot.perSecond);
}

function drawChart(perSecond) {
  const svg = $("chart");
  const max = Math.max(1, ...perSecond);
  const width = 300 / perSecond.length;
  const parts = [`<line class="axis" x1="0" y1="100" x2="300" y2="100"/>`,
    `<text class="axis-label" x="2" y="10">${max}/s</text>`, `<text class="axis-label" x="300" y="109" text-anchor="end">now</text>`];
  perSecond.forEach((n, i) => {
    if (n === 0) return;
    const h = (n / max) * 88;
    parts.push(`<rect class="bar" x="${(i * width + 0.5).toFixed(1)}" y="${(100 - h).toFixed(1)}" width="${(width - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${n}</title></rect>`);
  });
  svg.innerHTML = parts.join("");
}

// ---------------------------------------------------------------------------------------------
// 2. Token Required: the exact exchanges, sign-in, and the points on a map.

let token = null;
let drawn = [];

$("no-token").addEventListener("click", () => exchange(`${layerUrl}/query?where=1%3D1&outFields=*&f=json`));
$("no-token-no-f").addEventListener("click", () => exchange(`${layerUrl}/query?where=1%3D1&outFields=*`));
$("bad-token").addEventListener("click", () => exchange(`${layerUrl}/query?where=1%3D1&outFields=*&f=json&token=made-up-token`));
$("with-token").addEventListener("click", () => queryAndDraw());

$("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new URLSearchParams({ username: $("username").value, password: $("password").value, f: "json" });
  const shown = new URLSearchParams(form);
  shown.set("password", "•".repeat(8));
  const { json } = await exchange("/arcgis/tokens/generateToken", { method: "POST", body: form, shownBody: shown.toString() });
  if (json?.token) {
    token = json.token;
    $("with-token").disabled = false;
    document.querySelector("#where-form button").disabled = false;
    await queryAndDraw();
  }
});

// Sends a request and shows it and its answer: status line, content type, body (token values shortened).
async function exchange(url, { method = "GET", body, shownBody, headers = {} } = {}) {
  const shownHeaders = Object.entries(headers).map(([k, v]) => `\n${k}: ${hide(v)}`).join("");
  $("request").textContent = `${method} ${hide(decodeURIComponent(url.replaceAll("+", " ")))}${shownHeaders}${shownBody ? `\n\n${shownBody}` : ""}`;
  const response = await fetch(url, { method, body, headers, cache: "no-store" });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  const pretty = json ? JSON.stringify(json, (k, v) => (k === "token" ? hide(v) : v), 2) : text;
  $("response").textContent = `HTTP ${response.status} ${response.statusText}\ncontent-type: ${response.headers.get("content-type")}\n\n${pretty}`;
  $("response").dataset.status = response.status;
  $("response").dataset.code = json?.error?.code ?? "";
  return { response, json };
}

function hide(value) {
  return token ? String(value).replaceAll(token, `${token.slice(0, 6)}…`) : value;
}

async function queryAndDraw() {
  const { json } = await exchange(`${layerUrl}/query?where=1%3D1&outFields=*&outSR=4326&f=json`,
    { headers: { "X-Esri-Authorization": `Bearer ${token}` } });
  if (!json?.features) return;
  drawn = json.features.map((f) => ({ id: f.attributes.OBJECTID, name: f.attributes.NAME, category: f.attributes.CATEGORY, x: f.geometry.x, y: f.geometry.y }));
  drawMap([]);
}

// ids of the selected features, asked of the service (the server does the filtering).
async function select(params) {
  const query = new URLSearchParams({ ...params, returnIdsOnly: "true", f: "json" });
  const { json } = await exchange(`${layerUrl}/query?${query}`, { headers: { "X-Esri-Authorization": `Bearer ${token}` } });
  drawMap(json?.objectIds ?? []);
}

$("where-form").addEventListener("submit", (e) => {
  e.preventDefault();
  select({ where: $("where").value });
});

// Map: an equirectangular view of the points' extent, padded; y grows northwards.
const map = { width: 640, height: 400, pad: 40 };
function frame() {
  const xs = drawn.map((p) => p.x), ys = drawn.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180); // degrees of longitude are shorter
  const scale = Math.min((map.width - 2 * map.pad) / ((x1 - x0) * k), (map.height - 2 * map.pad) / (y1 - y0));
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  return {
    toScreen: (x, y) => [map.width / 2 + (x - cx) * k * scale, map.height / 2 - (y - cy) * scale],
    toMap: (sx, sy) => [cx + (sx - map.width / 2) / (k * scale), cy - (sy - map.height / 2) / scale],
  };
}

function drawMap(selectedIds) {
  const svg = $("map");
  const f = frame();
  const selected = new Set(selectedIds);
  const parts = [`<rect class="frame" x="0" y="0" width="${map.width}" height="${map.height}"/>`];
  for (const p of drawn) {
    const [sx, sy] = f.toScreen(p.x, p.y);
    const cls = selected.has(p.id) ? "point selected" : "point";
    parts.push(`<g class="${cls}" data-id="${p.id}"><circle cx="${sx.toFixed(1)}" cy="${sy.toFixed(1)}" r="7"><title>${p.id} ${escape(p.name)} (${escape(p.category)})</title></circle>` +
      `<text x="${(sx + 10).toFixed(1)}" y="${(sy + 4).toFixed(1)}">${escape(p.name)}</text></g>`);
  }
  svg.innerHTML = parts.join("");
  $("point-count").textContent = drawn.length;
  $("selected-count").textContent = selected.size;
  document.body.dataset.points = drawn.length;
  document.body.dataset.selected = selected.size;
  $("places").replaceChildren(...drawn.map((p) => {
    const li = document.createElement("li");
    li.textContent = `${p.id}. ${p.name}`;
    if (selected.has(p.id)) li.className = "selected";
    return li;
  }));
}

function escape(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// Drag a rectangle: an envelope query in WGS84.
(() => {
  const svg = $("map");
  let start = null, box = null;
  const point = (e) => {
    const r = svg.getBoundingClientRect();
    return [(e.clientX - r.left) * map.width / r.width, (e.clientY - r.top) * map.height / r.height];
  };
  svg.addEventListener("pointerdown", (e) => {
    if (!token || drawn.length === 0) return;
    start = point(e);
    box = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    box.setAttribute("class", "drag");
    svg.append(box);
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (!start) return;
    const [x, y] = point(e);
    box.setAttribute("x", Math.min(x, start[0]));
    box.setAttribute("y", Math.min(y, start[1]));
    box.setAttribute("width", Math.abs(x - start[0]));
    box.setAttribute("height", Math.abs(y - start[1]));
  });
  svg.addEventListener("pointerup", (e) => {
    if (!start) return;
    const end = point(e);
    const from = start;
    start = null;
    if (Math.abs(end[0] - from[0]) + Math.abs(end[1] - from[1]) < 3) {
      box.remove();
      return;
    }
    const f = frame();
    const [ax, ay] = f.toMap(...from), [bx, by] = f.toMap(...end);
    const envelope = [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)].map((v) => v.toFixed(5)).join(",");
    select({ geometry: envelope, geometryType: "esriGeometryEnvelope", spatialRel: "esriSpatialRelIntersects", inSR: "4326" });
  });
})();

// The demo user's name (and password, when it is the public demo default).
fetch("/demo/user").then((r) => r.json()).then((u) => {
  $("username").value = u.username;
  if (u.password) $("password").value = u.password;
});
connectCounters();
