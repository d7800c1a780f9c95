// Development stand-in for the Status499 sample server (NOT the system under test).
//
// It implements, in plain Node, the same wire contract the C# sample must implement, so the
// client scripts in this folder can be developed and debugged without building the .NET app:
//
//   node dev/stand-in-server.mjs            # prints the env to export, then serves until Ctrl-C
//   PORT=5123 TOKEN_TTL_SECONDS=3 node dev/stand-in-server.mjs   # short-lived tokens (SHORT_LIVED=1 tests)
//   LOG_REQUESTS=1 ...                       # one stderr line per request (method, path, token source)
//   ERROR_STATUS=1 ...                       # send 498/499 as the HTTP status too (what NOT to do)
//
// Contract (see ../README.md and docs/arcgis-contract.md): token errors are HTTP 200 with an
// {"error":{...}} body; 499 when no token was sent, 498 when the token is unknown or expired.
import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(here, "../maps-sdk/dist");
const PORT = Number(process.env.PORT ?? 0);
const TTL_MS = Number(process.env.TOKEN_TTL_SECONDS ?? 3600) * 1000;
const DEMO_TOKEN = process.env.DEMO_TOKEN ?? "demo-static-token";
const USERNAME = process.env.DEMO_USERNAME ?? "demo";
const PASSWORD = process.env.DEMO_PASSWORD ?? "demo-password";
const LOG = process.env.LOG_REQUESTS === "1";
// ERROR_STATUS=1 sends token errors with a real 498/499 status line instead of 200, to watch the
// clients break (arcgis-rest-js then throws a plain ArcGISRequestError "HTTP 499 ...").
const ERROR_STATUS = process.env.ERROR_STATUS;

const issued = new Map(); // token -> expiry epoch ms
const TOKEN_REQUIRED = { error: { code: 499, message: "Token Required", messageCode: "GWM_0003", details: ["Token Required"] } };
const INVALID_TOKEN = { error: { code: 498, message: "Invalid token.", details: [] } };

// Twelve points in WGS84 (a 4 x 3 grid) so the map view can frame them without a basemap.
const features = Array.from({ length: 12 }, (_, i) => ({
  attributes: { OBJECTID: i + 1, Name: `Point ${i + 1}` },
  geometry: { x: -117.2 + (i % 4) * 0.01, y: 34.05 + Math.floor(i / 4) * 0.01, spatialReference: { wkid: 4326 } },
}));
const extent = { xmin: -117.21, ymin: 34.04, xmax: -117.16, ymax: 34.08, spatialReference: { wkid: 4326 } };
const fields = [
  { name: "OBJECTID", type: "esriFieldTypeOID", alias: "OBJECTID" },
  { name: "Name", type: "esriFieldTypeString", alias: "Name", length: 50 },
];
const layerJson = {
  currentVersion: 11.3, id: 0, name: "Points", type: "Feature Layer", geometryType: "esriGeometryPoint",
  objectIdField: "OBJECTID", displayField: "Name", fields, extent, spatialReference: { wkid: 4326 },
  capabilities: "Query", maxRecordCount: 1000, supportedQueryFormats: "JSON", // no PBF: see contract §7
  advancedQueryCapabilities: { supportsPagination: true }, hasZ: false, hasM: false,
  drawingInfo: { renderer: { type: "simple", symbol: { type: "esriSMS", style: "esriSMSCircle", color: [0, 92, 230, 255], size: 8 } } },
};
const serviceJson = {
  currentVersion: 11.3, serviceDescription: "", layers: [{ id: 0, name: "Points", geometryType: "esriGeometryPoint" }],
  tables: [], spatialReference: { wkid: 4326 }, fullExtent: extent, initialExtent: extent, capabilities: "Query",
  supportedQueryFormats: "JSON", maxRecordCount: 1000,
};

function send(res, status, body, type = "application/json; charset=utf-8") {
  res.writeHead(status, { "Content-Type": type });
  res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

async function readParams(req, url) {
  const params = new URLSearchParams(url.search);
  if (req.method === "POST") {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) params.set(k, v);
  }
  return params;
}

// Same precedence the sample documents: X-Esri-Authorization, Authorization, token query, token form field.
function findToken(req, url, params) {
  const bearer = (h) => (h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, "") : null);
  const x = bearer(req.headers["x-esri-authorization"]);
  if (x) return { token: x, via: "X-Esri-Authorization" };
  const a = bearer(req.headers["authorization"]);
  if (a) return { token: a, via: "Authorization" };
  if (url.searchParams.get("token")) return { token: url.searchParams.get("token"), via: "query" };
  if (params.get("token")) return { token: params.get("token"), via: "form" };
  return { token: null, via: null };
}

const isValid = (t) => t === DEMO_TOKEN || (issued.has(t) && issued.get(t) > Date.now());

function query(params) {
  if (params.get("returnCountOnly") === "true") return { count: features.length };
  if (params.get("returnIdsOnly") === "true") return { objectIdFieldName: "OBJECTID", objectIds: features.map((f) => f.attributes.OBJECTID) };
  if (params.get("returnExtentOnly") === "true") return { count: features.length, extent };
  // A map view asks for envelope/tile queries; returning every feature is fine for 12 points (contract §7).
  return { objectIdFieldName: "OBJECTID", geometryType: "esriGeometryPoint", spatialReference: { wkid: 4326 }, fields, features, exceededTransferLimit: false };
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const p = url.pathname;
  try {
    const params = await readParams(req, url);
    const { token, via } = findToken(req, url, params);
    if (LOG) {
      const shown = [...params].filter(([k]) => k !== "token" && k !== "password").map(([k, v]) => `${k}=${v.slice(0, 60)}`).join("&");
      console.error(`${req.method} ${p} token=${via ?? "-"} referer=${req.headers.referer ?? "-"} ${shown}`);
    }
    if (p === "/arcgis/rest/info") {
      return send(res, 200, { currentVersion: 11.3, fullVersion: "11.3.0", authInfo: { isTokenBasedSecurity: true, tokenServicesUrl: `http://${req.headers.host}/arcgis/tokens/generateToken`, shortLivedTokenValidity: 60 } });
    }
    if (p === "/arcgis/tokens/generateToken") {
      if (req.method !== "POST") return send(res, 200, { error: { code: 405, message: "POST only", details: [] } });
      if (params.get("username") !== USERNAME || params.get("password") !== PASSWORD) {
        return send(res, 200, { error: { code: 400, message: "Unable to generate token.", details: ["Invalid username or password."] } });
      }
      const minutes = Number(params.get("expiration") || 60);
      const expires = Date.now() + Math.min(minutes * 60_000, TTL_MS);
      const t = randomBytes(24).toString("base64url");
      issued.set(t, expires);
      return send(res, 200, { token: t, expires, ssl: false });
    }
    if (p.startsWith("/arcgis/rest/services/Demo/FeatureServer")) {
      if (!token) return send(res, ERROR_STATUS ? 499 : 200, TOKEN_REQUIRED);
      if (!isValid(token)) return send(res, ERROR_STATUS ? 498 : 200, INVALID_TOKEN);
      const rest = p.slice("/arcgis/rest/services/Demo/FeatureServer".length).replace(/\/$/, "");
      if (rest === "") return send(res, 200, serviceJson);
      if (rest === "/0") return send(res, 200, layerJson);
      if (rest === "/0/query") return send(res, 200, query(params));
      return send(res, 200, { error: { code: 400, message: "Invalid URL", details: [] } });
    }
    if (p.startsWith("/maps-sdk/")) {
      const file = path.resolve(DIST, "." + decodeURIComponent(p.slice("/maps-sdk".length)));
      if (!file.startsWith(DIST + path.sep)) return send(res, 404, "not found", "text/plain");
      const s = await stat(file).catch(() => null);
      if (!s?.isFile()) return send(res, 404, "not found", "text/plain");
      const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".png": "image/png", ".svg": "image/svg+xml", ".woff2": "font/woff2" };
      return send(res, 200, await readFile(file), types[path.extname(file)] ?? "application/octet-stream");
    }
    send(res, 404, "not found", "text/plain");
  } catch (e) {
    send(res, 500, { error: { code: 500, message: String(e), details: [] } });
  }
});

server.listen(PORT, "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`SAMPLE_URL=http://127.0.0.1:${port} DEMO_TOKEN=${DEMO_TOKEN} DEMO_USERNAME=${USERNAME} DEMO_PASSWORD=${PASSWORD}` + (TTL_MS < 60_000 ? " SHORT_LIVED=1" : ""));
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
