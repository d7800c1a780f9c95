// Shared plumbing for the client scripts: env input, a fetch recorder, and the
// "one JSON line on stdout, exit code = verdict" protocol the C# xunit test reads.

/** Reads a required env var; a missing one is a setup error, reported like a failed assertion. */
export function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === "") throw new Error(`environment variable ${name} is required`);
  return v;
}

/**
 * SAMPLE_URL without a trailing slash, plus the URLs every script uses. SERVER_PATH (default `/arcgis`) and
 * SERVICE_NAME (default `Demo`) point them at another ArcGIS-style server behind the same origin, e.g.
 * `/file-geojson` and `redlands-places` for Koop's provider-file-geojson through the gateway sample.
 */
export function sampleUrls() {
  const base = env("SAMPLE_URL").replace(/\/+$/, "");
  const server = `${base}${env("SERVER_PATH", "/arcgis").replace(/\/+$/, "")}`;
  return {
    base,
    server,
    layer: `${server}/rest/services/${env("SERVICE_NAME", "Demo")}/FeatureServer/0`,
  };
}

/**
 * Wraps globalThis.fetch so a script can report what the unmodified client put on the wire.
 * @esri/arcgis-rest-request calls `globalThis.fetch` at request time when it exists
 * (node_modules/@esri/arcgis-rest-request/dist/esm/request.js l.347-351), so wrapping it observes
 * every request without changing the client. Token values are never recorded.
 */
export function recordFetch() {
  const log = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const headers = new Headers(init.headers);
    const form = typeof init.body === "string" ? new URLSearchParams(init.body)
      : init.body instanceof FormData || init.body instanceof URLSearchParams ? init.body : null;
    const entry = { method: init.method ?? "GET", path: url.pathname, tokenVia: tokenVia(url, headers, form) };
    if (headers.get("referer")) entry.refererHeader = headers.get("referer");
    if (url.pathname.endsWith("/generateToken") && form) {
      entry.form = Object.fromEntries(["client", "referer", "expiration", "f", "request"].map((k) => [k, form.get(k)]));
      entry.form.username = form.get("username") ? "<set>" : null;
      entry.form.password = form.get("password") ? "<set>" : null;
    }
    const res = await realFetch(input, init);
    entry.status = res.status;
    try {
      const json = await res.clone().json();
      if (json?.error) entry.bodyErrorCode = json.error.code;
    } catch { /* not JSON: nothing to record */ }
    log.push(entry);
    return res;
  };
  return log;
}

function tokenVia(url, headers, form) {
  if (headers.has("x-esri-authorization")) return "X-Esri-Authorization";
  if (headers.has("authorization")) return "Authorization";
  if (url.searchParams.has("token")) return "query";
  if (form?.get("token")) return "form";
  return null;
}

/** Polls `probe` until it returns true (max `timeoutMs`); bounded so a broken server cannot hang CI. */
export async function waitUntil(probe, { timeoutMs = 15_000, intervalMs = 500, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return Date.now();
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Expects `promise` to reject; returns the rejection (fails if it resolves). */
export async function rejection(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`${what}: expected the client to reject, but it resolved`);
}

/**
 * Runs a script body. `fn(out)` fills `out` as it goes, so a failure still reports what was
 * observed up to that point. Prints exactly one JSON line on stdout; exit 0 only on success.
 */
export async function run(script, fn) {
  const out = {};
  let ok = true;
  let failure;
  try {
    await fn(out);
  } catch (e) {
    ok = false;
    failure = e?.message ?? String(e);
    console.error(`${script}: FAILED: ${failure}`);
  }
  const line = JSON.stringify({ script, ok, ...(failure ? { failure } : {}), ...out });
  process.stdout.write(line + "\n", () => process.exit(ok ? 0 : 1));
}
