// The unmodified ArcGIS Maps SDK for JavaScript (@arcgis/core) in Debian's Chromium against the
// sample: (a) anonymous FeatureLayer load fails with the sample's 499 "Token Required";
// (b) IdentityManager signs in at the sample's generateToken, the layer loads and queryFeatures()
// returns 12; (c) a MapView with only that layer draws them; a screenshot goes to SCREENSHOT_PATH.
//
// env: SAMPLE_URL, DEMO_USERNAME, DEMO_PASSWORD, SCREENSHOT_PATH (required);
//      CHROMIUM_PATH (default /usr/bin/chromium); SERVER_PATH (default /arcgis) and SERVICE_NAME
//      (default Demo) for another layer on the same origin, e.g. /file-geojson and redlands-places
//      for Koop through the gateway sample: passed to the page as ?server=&service= (app.mjs).
// Server needs: maps-sdk/dist (node maps-sdk/build.mjs) served as static files at
// ${SAMPLE_URL}/maps-sdk/ without a token, and §7 of docs/arcgis-contract.md.
// The page is same-origin with the REST API, so no CORS is involved.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { env, sampleUrls, run } from "./lib/harness.mjs";

await run("maps-sdk", async (out) => {
  const { base, server } = sampleUrls();
  const serverPath = new URL(server).pathname; // "/arcgis" (SERVER_PATH)
  const username = env("DEMO_USERNAME");
  const password = env("DEMO_PASSWORD");
  const screenshotPath = path.resolve(env("SCREENSHOT_PATH"));
  const origin = new URL(base).origin;
  const userDataDir = await mkdtemp(path.join(tmpdir(), "status499-chromium-"));
  let context;
  let page;
  try {
    // launchPersistentContext because Playwright refuses --user-data-dir in `args`; headless:true
    // adds --headless, and chromiumSandbox:false (the default) adds --no-sandbox.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: env("CHROMIUM_PATH", "/usr/bin/chromium"),
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
      viewport: { width: 800, height: 540 },
      timeout: 30_000,
    });

    // Nothing may leave the sample's origin (no CDN, no basemap, no portal): block and report it.
    const offOrigin = [];
    await context.route("**/*", (route) => {
      const u = new URL(route.request().url());
      if (u.origin === origin) return route.continue();
      offOrigin.push(`${u.origin}${u.pathname}`);
      return route.abort();
    });
    // What the SDK put on the wire for the ArcGIS endpoints (token values are not recorded).
    const wire = [];
    context.on("requestfinished", async (req) => {
      const u = new URL(req.url());
      if (!u.pathname.startsWith(`${serverPath}/`)) return;
      const form = req.method() === "POST" ? new URLSearchParams(req.postData() ?? "") : null;
      const entry = { method: req.method(), path: u.pathname, f: u.searchParams.get("f") ?? form?.get("f") ?? null };
      entry.tokenVia = req.headers()["x-esri-authorization"] ? "X-Esri-Authorization" : u.searchParams.has("token") ? "query" : form?.has("token") ? "form" : null;
      if (u.pathname.endsWith("/generateToken")) entry.formKeys = form ? [...form.keys()].sort() : null;
      const res = await req.response();
      entry.status = res?.status() ?? null;
      const body = await res?.json().catch(() => null);
      if (body?.error) entry.bodyErrorCode = body.error.code;
      wire.push(entry);
    });
    const pageErrors = [];
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(String(e).slice(0, 300)));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text().slice(0, 300)));

    const pageUrl = `${base}/maps-sdk/index.html?${new URLSearchParams({ server: serverPath, service: env("SERVICE_NAME", "Demo") })}`;
    const nav = await page.goto(pageUrl, { waitUntil: "load", timeout: 30_000 });
    assert.equal(nav?.status(), 200, `GET ${pageUrl} (run node maps-sdk/build.mjs; the sample must serve maps-sdk/dist at /maps-sdk/)`);
    await page.waitForFunction(() => window.status499Ready === true, null, { timeout: 30_000 });
    out.pageErrors = pageErrors;
    out.offOrigin = offOrigin;
    out.wire = wire;
    // Bounded: if the SDK ever fell back to its sign-in dialog it would wait for a person forever.
    const run = page.evaluate((cfg) => window.status499Run(cfg), { username, password })
      .catch((e) => Promise.reject(new Error(e.message.split("\n")[0]))); // drop the page's stack
    Object.assign(out, await withTimeout(run, 90_000, "status499Run() in the page"));
    await page.screenshot({ path: screenshotPath });
    out.screenshot = screenshotPath;

    // (a) The SDK reads the body, not the status line (contract §7): httpStatus is the body code.
    assert.equal(out.anonymous.loaded, false, "anonymous load must fail");
    assert.equal(out.anonymous.message, "Token Required", "anonymous load error message");
    assert.equal(out.anonymous.httpStatus, 499, "anonymous load error details.httpStatus");
    // (b) generateToken was POSTed (IdentityManagerBase generateToken: method "post").
    const gen = wire.find((w) => w.path.endsWith("/generateToken"));
    assert.equal(gen?.method, "POST", "the SDK POSTs its sign-in to tokenServicesUrl");
    // A token registered for `<server>/rest/services` is not sent up front: findCredential() only
    // matches URLs already in the credential's `resources` (IdentityManagerBase.js findCredential,
    // `_getIdenticalSvcIdx(e,i)!==-1`). The layer's first request goes out anonymously, the body 499
    // sends the SDK to getCredential(), which adopts the registered credential for this URL, and
    // the request is retried with `token=`; later requests send it directly. So after sign-in every
    // FeatureServer request either carries the token or is that anonymous probe answered with 499.
    const afterSignIn = wire.slice(wire.indexOf(gen) + 1).filter((w) => w.path.includes("/FeatureServer"));
    const probes = afterSignIn.filter((w) => !w.tokenVia);
    out.tokenAfterSignIn = { requests: afterSignIn.length, withToken: afterSignIn.length - probes.length, anonymousProbes: probes.length, probeBodyCodes: probes.map((w) => w.bodyErrorCode ?? null) };
    assert.ok(afterSignIn.some((w) => w.tokenVia === "query"), "FeatureServer requests after sign-in carry token= in the query");
    assert.ok(probes.every((w) => w.bodyErrorCode === 499), "an anonymous request after sign-in must get the 499 body that makes the SDK attach the token");
    assert.equal(out.signedIn.objectIdField, "OBJECTID");
    assert.equal(out.signedIn.features, 12, "queryFeatures() after sign-in");
    assert.equal(new Set(out.signedIn.objectIds).size, 12, "12 distinct OBJECTIDs");
    // (c) All 12 reached the layer view and something red was drawn (a 14 px marker is ~150 px).
    assert.equal(out.mapView.featuresInLayerView, 12, "features in the MapView's layer view");
    assert.ok(out.mapView.redPixels > 100, `red marker pixels in view.takeScreenshot(): ${out.mapView.redPixels}`);
  } finally {
    // On failure, still leave a picture of what the page showed.
    if (page && !out.screenshot) out.screenshot = await page.screenshot({ path: screenshotPath }).then(() => screenshotPath, () => null);
    await context?.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true });
  }
});

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
