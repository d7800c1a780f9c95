// The sample's home page in Debian's Chromium, used as a person would: (a) the Client Closed Request buttons abort
// requests from the browser and the page's counters (the library's metric, pushed by server-sent events) rise by
// route and phase; (b) the Token Required steps show the 499 and 498 answers, sign in with generateToken and draw the
// 12 points on the SVG map; a where clause and a dragged rectangle select subsets on the server. Screenshots of both
// sections go to SCREENSHOT_DIR.
//
// env: SAMPLE_URL, DEMO_USERNAME, DEMO_PASSWORD, SCREENSHOT_DIR (required); CHROMIUM_PATH (default /usr/bin/chromium).
import assert from "node:assert/strict";
import { mkdtemp, rm, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { env, sampleUrls, run } from "./lib/harness.mjs";

await run("home-page", async (out) => {
  const { base } = sampleUrls();
  const username = env("DEMO_USERNAME");
  const password = env("DEMO_PASSWORD");
  const screenshots = path.resolve(env("SCREENSHOT_DIR"));
  await mkdir(screenshots, { recursive: true });
  const origin = new URL(base).origin;
  const userDataDir = await mkdtemp(path.join(tmpdir(), "status499-chromium-"));
  let context;
  let page;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: env("CHROMIUM_PATH", "/usr/bin/chromium"),
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
      viewport: { width: 1200, height: 900 },
      timeout: 30_000,
    });
    // The page must need nothing from another origin (no CDN): report anything that tries. Observed, not routed:
    // routing passes every request body through the DevTools protocol, which holds the 16 MB upload back for seconds.
    const offOrigin = [];
    context.on("request", (request) => {
      const u = new URL(request.url());
      if (u.origin !== origin) offOrigin.push(`${u.origin}${u.pathname}`);
    });
    const pageErrors = [];
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(String(e).slice(0, 300)));
    out.pageErrors = pageErrors;
    out.offOrigin = offOrigin;

    const nav = await page.goto(`${base}/`, { waitUntil: "load", timeout: 30_000 });
    assert.equal(nav?.status(), 200, "GET /");
    await page.locator("#stream-state", { hasText: "live" }).waitFor({ timeout: 15_000 });
    const total = async () => Number(await page.locator("#total").textContent());
    out.initialTotal = await total();

    // (a) Each case aborted from the browser; the counter row for its route and phase appears.
    await page.fill("#delay", "600");
    const expected = [["slow", "/slow", "handler"], ["stream", "/stream", "response"], ["upload", "/upload", "request_body"]];
    out.counters = {};
    for (const [name, route, phase] of expected) {
      await page.click(`button[data-case="${name}"]`);
      await page.locator("#attempts li").first().filter({ hasText: "aborted by the browser" }).waitFor({ timeout: 15_000 });
      const row = page.locator(`#counter-table tr[data-route="${route}"][data-phase="${phase}"] td:last-child`);
      await row.waitFor({ timeout: 20_000 });
      out.counters[`${route} ${phase}`] = Number(await row.textContent());
    }
    out.totalAfterAborts = await total();
    out.chartBars = await page.locator("#chart rect.bar").count();
    await page.locator("#client-closed").screenshot({ path: path.join(screenshots, "home-client-closed.png") });
    assert.equal(out.totalAfterAborts - out.initialTotal, 3, "the total rose by the three aborted requests");
    assert.ok(out.chartBars >= 1, "the chart shows the recent 499s");

    // (b) Token Required, step by step.
    const answer = async (button, attribute, value) => {
      await page.click(button);
      await page.locator(`#response[${attribute}="${value}"]`).waitFor({ timeout: 10_000 });
      return (await page.locator("#response").textContent()).split("\n")[0];
    };
    const body = async () => JSON.parse((await page.locator("#response").textContent()).split("\n\n").slice(1).join("\n\n"));
    out.noToken = await answer("#no-token", "data-code", "499");
    out.noTokenBody = (await body()).error;
    out.noTokenNoF = await answer("#no-token-no-f", "data-status", "499");
    out.badToken = await answer("#bad-token", "data-code", "498");
    out.badTokenBody = (await body()).error;

    await page.fill("#username", username);
    await page.fill("#password", password);
    await page.click("#sign-in button[type=submit]");
    await page.waitForFunction(() => document.body.dataset.points === "12", null, { timeout: 15_000 });
    out.pointsDrawn = await page.locator("#map g.point circle").count();
    out.tokenShown = (await page.locator("#request").textContent()).includes("X-Esri-Authorization: Bearer ");

    // A where clause, answered by the server (returnIdsOnly): the five parks.
    await page.click("#where-form button");
    await page.waitForFunction(() => document.body.dataset.selected === "5", null, { timeout: 10_000 });
    out.whereSelected = await page.locator("#map g.point.selected").count();

    // A rectangle dragged around Israel Beal Park (12) and the Esri Campus (10): an envelope query.
    await page.locator("#map").scrollIntoViewIfNeeded(); // mouse coordinates are the viewport's
    const box = async (id) => page.locator(`#map g.point[data-id="${id}"] circle`).boundingBox();
    const [a, b] = [await box(12), await box(10)];
    await page.mouse.move(Math.min(a.x, b.x) - 6, Math.min(a.y, b.y) - 6);
    await page.mouse.down();
    await page.mouse.move(Math.max(a.x + a.width, b.x + b.width) + 6, Math.max(a.y + a.height, b.y + b.height) + 6, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.body.dataset.selected === "2", null, { timeout: 10_000 });
    out.envelopeSelected = await page.evaluate(() => [...document.querySelectorAll("#map g.point.selected")].map((g) => Number(g.dataset.id)).sort((x, y) => x - y));
    out.envelopeRequest = (await page.locator("#request").textContent()).split("\n")[0];
    await page.locator("#token-required").screenshot({ path: path.join(screenshots, "home-token-required.png") });

    assert.match(out.noToken, /^HTTP 200 /, "with f=json the 499 comes in a 200, as ArcGIS Server sends it");
    assert.match(out.noTokenNoF, /^HTTP 499 /, "without f the status line is 499");
    assert.deepEqual(out.noTokenBody, { code: 499, message: "Token Required", messageCode: "GWM_0003", details: ["Token Required"] });
    assert.match(out.badToken, /^HTTP 200 /);
    assert.equal(out.badTokenBody.code, 498);
    assert.equal(out.pointsDrawn, 12);
    assert.ok(out.tokenShown, "the request shows the token header (value shortened)");
    assert.equal(out.whereSelected, 5);
    assert.deepEqual(out.envelopeSelected, [10, 12]);
    assert.deepEqual(pageErrors, [], "no script errors on the page");
    assert.deepEqual(offOrigin, [], "nothing requested outside the sample's origin");
  } finally {
    if (page) await page.screenshot({ path: path.join(screenshots, "home-full.png"), fullPage: true }).catch(() => {});
    await context?.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true });
  }
});
