// Page script for maps-sdk.mjs: exposes window.status499Run({ username, password }) which runs
// the three steps against the layer named by the page URL's ?server= and ?service= (below) on the
// server that serves this page (same origin, so no CORS) and resolves
// with a JSON-able result. Everything is the SDK's public API; nothing is patched.
import esriConfig from "@arcgis/core/config.js";
import esriRequest from "@arcgis/core/request.js";
import IdentityManager from "@arcgis/core/identity/IdentityManager.js";
import ServerInfo from "@arcgis/core/identity/ServerInfo.js";
import FeatureLayer from "@arcgis/core/layers/FeatureLayer.js";
import ArcGISMap from "@arcgis/core/Map.js";
import MapView from "@arcgis/core/views/MapView.js";
import Extent from "@arcgis/core/geometry/Extent.js";
import * as reactiveUtils from "@arcgis/core/core/reactiveUtils.js";

// Workers, CSS, translations and wasm come from here (build.mjs copies them); the default is the CDN.
esriConfig.assetsPath = new URL("./assets", import.meta.url).href;

let step = "start";
const status = (text) => {
  step = text;
  document.getElementById("status").textContent = text;
};
const describe = (e) => ({
  name: e?.name,
  message: e?.message,
  httpStatus: e?.details?.httpStatus ?? null,
  messageCode: e?.details?.messageCode ?? null,
});

// SDK errors do not survive page.evaluate() serialization; rethrow as a plain Error naming the step.
window.status499Run = (config) =>
  runSteps(config).catch((e) => {
    const message = `${step} ${e?.name}: ${e?.message}${e?.details?.httpStatus ? ` (httpStatus ${e.details.httpStatus})` : ""}`;
    status(`FAILED at ${message}`);
    throw new Error(message);
  });

// Which ArcGIS-style server and layer, from the page URL (same origin as the page):
//   ?server=/file-geojson&service=redlands-places -> /file-geojson/rest/services/redlands-places/FeatureServer/0
// Defaults: server=/arcgis, service=Demo (the demo's layer). maps-sdk.mjs passes SERVER_PATH and SERVICE_NAME.
const params = new URLSearchParams(location.search);
const serverPath = (params.get("server") || "/arcgis").replace(/\/+$/, "");
const serviceName = params.get("service") || "Demo";

async function runSteps({ username, password }) {
  const server = new URL(serverPath, location.origin).href.replace(/\/+$/, "");
  if (new URL(server).origin !== location.origin) throw new Error(`server=${serverPath} is not on the page's origin`);
  const layerUrl = `${server}/rest/services/${encodeURIComponent(serviceName)}/FeatureServer/0`;
  const result = {};

  // (a) Anonymous. By default a 499 makes the SDK look up rest/info and open its sign-in dialog,
  // so load() would wait for a person. useIdentity=false makes it fail fast instead: the request
  // layer only calls IdentityManager when `useIdentity` is set (request/process.js:
  // `!e.hasToken && e.useIdentity && ... v.has(n)` with v = Set[499,498,403,401]).
  status("(a) anonymous load...");
  esriConfig.request.useIdentity = false;
  try {
    await new FeatureLayer({ url: layerUrl }).load();
    result.anonymous = { loaded: true };
  } catch (e) {
    result.anonymous = { loaded: false, ...describe(e) };
  }

  // (b) Sign in without the dialog, through IdentityManager's public API: register the server
  // (token endpoint read from the sample's rest/info, as the SDK itself does), generateToken()
  // (POSTs request=getToken&username&password&expiration&f=json: no client/referer for a server
  // token endpoint, IdentityManagerBase.js generateToken), then registerToken() for the services.
  status("(b) sign in...");
  const info = (await esriRequest(`${server}/rest/info`, { query: { f: "json" } })).data;
  const serverInfo = new ServerInfo({
    server,
    tokenServiceUrl: info.authInfo?.tokenServicesUrl,
    shortLivedTokenValidity: info.authInfo?.shortLivedTokenValidity,
    currentVersion: info.currentVersion,
    hasServer: true,
  });
  IdentityManager.registerServers([serverInfo]);
  const generated = await IdentityManager.generateToken(serverInfo, { username, password });
  IdentityManager.registerToken({ server: `${server}/rest/services`, token: generated.token, expires: generated.expires, ssl: generated.ssl, userId: username });
  result.signIn = { tokenServiceUrl: serverInfo.tokenServiceUrl, expiresInSeconds: Math.round((generated.expires - Date.now()) / 1000), ssl: generated.ssl ?? null };
  // Back to the default: now the request layer finds the registered credential and appends token=.
  esriConfig.request.useIdentity = true;

  const layer = new FeatureLayer({
    url: layerUrl,
    // A solid red marker so maps-sdk.mjs can count drawn pixels; the sample's own renderer is not under test.
    renderer: { type: "simple", symbol: { type: "simple-marker", style: "circle", color: [255, 0, 0, 1], size: 14, outline: { color: [255, 0, 0, 1], width: 1 } } },
  });
  await layer.load();
  const queried = await layer.queryFeatures({ where: "1=1", outFields: ["*"], returnGeometry: true });
  result.signedIn = {
    loaded: layer.loaded,
    objectIdField: layer.objectIdField,
    features: queried.features.length,
    objectIds: queried.features.map((f) => f.attributes[layer.objectIdField]).sort((a, b) => a - b),
  };

  // (c) A MapView with only this layer (no basemap: nothing leaves the sample's origin). Frame the
  // layer's extent, or the queried points if the layer JSON has none.
  status("(c) drawing...");
  const target = layer.fullExtent ?? extentOf(queried.features);
  const view = new MapView({ container: "map", map: new ArcGISMap({ layers: [layer] }), extent: target.clone().expand(1.5), ui: { components: [] } });
  await view.when();
  const layerView = await view.whenLayerView(layer);
  await reactiveUtils.whenOnce(() => !layerView.updating);
  await reactiveUtils.whenOnce(() => !view.updating);
  const drawn = await layerView.queryFeatures();
  const shot = await view.takeScreenshot({ format: "png" });
  result.mapView = {
    framedBy: layer.fullExtent ? "layer.fullExtent" : "queried features",
    spatialReference: view.spatialReference?.wkid ?? null,
    featuresInLayerView: drawn.features.length,
    redPixels: countRed(shot.data),
  };
  status(`Status499 sample: ${queried.features.length} features queried, ${drawn.features.length} drawn (red) after a 499 "${result.anonymous.message}" and sign-in.`);
  return result;
}

function extentOf(features) {
  const xs = features.map((f) => f.geometry.x);
  const ys = features.map((f) => f.geometry.y);
  const pad = 0.001; // a lone point has a zero-size extent
  return new Extent({ xmin: Math.min(...xs) - pad, ymin: Math.min(...ys) - pad, xmax: Math.max(...xs) + pad, ymax: Math.max(...ys) + pad, spatialReference: features[0].geometry.spatialReference });
}

function countRed(imageData) {
  let n = 0;
  const d = imageData.data;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 80 && d[i + 2] < 80 && d[i + 3] > 200) n++;
  return n;
}

window.status499Ready = true;
status("ready: maps-sdk.mjs calls status499Run()");
