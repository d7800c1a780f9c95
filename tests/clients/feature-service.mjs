// Issue "ArcGIS round trip": the unmodified @esri/arcgis-rest-feature-service `queryFeatures`
// against the sample: 499 without a token, 498 with a bad one, username/password sign-in through
// the sample's own rest/info + generateToken, and (SHORT_LIVED=1) recovery from an expired token.
//
// env: SAMPLE_URL, DEMO_USERNAME, DEMO_PASSWORD (required); SHORT_LIVED=1 when the sample issues
// tokens that expire within ~15 s (the script then waits for expiry, polling every 0.5 s);
// SERVER_PATH and SERVICE_NAME for a layer other than /arcgis/rest/services/Demo/FeatureServer/0
// (lib/harness.mjs sampleUrls; the server must still serve the demo's 12 points); KEEP_QUERYING_SECONDS=n
// (without SHORT_LIVED) to go on querying with the signed-in session for n seconds.
// Server needs, beyond rest-request.mjs: token accepted as a `token=` query parameter (queryFeatures
// uses GET, query.js l.149); rest/info with an absolute authInfo.tokenServicesUrl; generateToken
// accepting POST form username/password/client=referer/referer=@esri/arcgis-rest-js/expiration=20160/f=json
// and answering {"token","expires":<epoch ms>}; an expired token must get 498 (not 499).
import assert from "node:assert/strict";
import { ArcGISAuthError, ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { queryFeatures } from "@esri/arcgis-rest-feature-service";
import { env, sampleUrls, recordFetch, rejection, waitUntil, run } from "./lib/harness.mjs";

await run("feature-service", async (out) => {
  const { server, layer } = sampleUrls();
  const username = env("DEMO_USERNAME");
  const password = env("DEMO_PASSWORD");
  const shortLived = process.env.SHORT_LIVED === "1";
  const keepQueryingSeconds = Number(process.env.KEEP_QUERYING_SECONDS ?? 0);
  const wire = recordFetch();
  const since = (mark) => wire.slice(mark);
  const count = (entries, suffix) => entries.filter((w) => w.path.endsWith(suffix)).length;

  // (a) No token -> ArcGISAuthError from checkForErrors (arcgis-rest-request request.js l.139-144).
  const noToken = await rejection(queryFeatures({ url: layer }), "no token");
  out.noToken = { errorName: noToken.name, errorCode: noToken.code, bodyCode: noToken.response?.error?.code, httpStatus: wire.at(-1)?.status };
  assert.ok(noToken instanceof ArcGISAuthError, `no token: expected ArcGISAuthError, got ${noToken.name}: ${noToken.message}`);
  assert.equal(noToken.response?.error?.code, 499, "no token: body error.code");

  // (b) Bad token, passed as a raw param: queryFeatures merges `params` into the GET query string
  // (query.js l.147-152), so this is the `token=` query parameter path.
  const bad = await rejection(queryFeatures({ url: layer, params: { token: "not-a-real-token" } }), "bad token");
  out.badToken = { errorName: bad.name, errorCode: bad.code, bodyCode: bad.response?.error?.code, tokenVia: wire.at(-1)?.tokenVia };
  assert.ok(bad instanceof ArcGISAuthError, `bad token: expected ArcGISAuthError, got ${bad.name}: ${bad.message}`);
  assert.equal(bad.response?.error?.code, 498, "bad token: body error.code");
  assert.equal(wire.at(-1).tokenVia, "query");

  // (c) Username/password. With `portal: "<server>/rest"` the layer URL matches the portal regex
  // (ArcGISIdentityManager.js l.665-672) so getFreshToken() -> refreshCredentials() ->
  // refreshWithUsernameAndPassword() (l.990-1016): GET `<server root>/rest/info`, then POST to
  // its authInfo.tokenServicesUrl with client=referer and, in Node, referer=@esri/arcgis-rest-js.
  // Without `portal` it would go to getTokenForServer() and ask www.arcgis.com (a portal exchange).
  const session = new ArcGISIdentityManager({ server, portal: `${server}/rest`, username, password });
  let mark = wire.length;
  const signedIn = await queryFeatures({ url: layer, authentication: session });
  const signInWire = since(mark);
  out.signIn = { features: signedIn.features?.length, tokenExpiresInSeconds: Math.round((session.tokenExpires - Date.now()) / 1000), wire: signInWire };
  assert.equal(signedIn.features?.length, 12, "signed in: feature count");
  assert.ok(signedIn.features.every((f) => Number.isInteger(f.attributes?.OBJECTID)), "every feature has an integer OBJECTID attribute");
  const root = new URL(server).pathname; // "/arcgis" (SERVER_PATH)
  assert.deepEqual(signInWire.map((w) => w.path),
    [`${root}/rest/info`, `${root}/tokens/generateToken`, `${new URL(layer).pathname}/query`],
    "sign-in sequence: rest/info, its tokenServicesUrl, then the query");
  const gen = signInWire[1];
  assert.equal(gen.method, "POST");
  assert.equal(gen.form.client, "referer", "generateToken client");
  assert.equal(gen.form.referer, "@esri/arcgis-rest-js", "generateToken referer (NODEJS_DEFAULT_REFERER_HEADER)");
  assert.equal(gen.form.username, "<set>");
  // updateToken(response.token, new Date(response.expires)) (l.1012): `expires` must be epoch ms,
  // or getFreshToken() (l.974-975) thinks the token is already stale and signs in on every call.
  assert.ok(session.tokenExpires instanceof Date && session.tokenExpires.getTime() > Date.now(), "generateToken `expires` must be a future epoch-ms time");

  if (!shortLived) {
    // A second call reuses the cached token: no extra generateToken round trip.
    mark = wire.length;
    await queryFeatures({ url: layer, authentication: session });
    out.secondCallGenerateTokenCalls = count(since(mark), "/generateToken");
    assert.equal(out.secondCallGenerateTokenCalls, 0, "a valid cached token is reused");
    if (keepQueryingSeconds > 0) await keepQuerying(out);
    return;
  }

  // (d) SHORT_LIVED=1: wait (max 15 s) until the sample rejects the first token. An expired token
  // is an *invalid* token to ArcGIS clients: it must be 498; only 498/499 trigger a refresh.
  const firstToken = session.token;
  const started = Date.now();
  await waitUntil(async () => {
    const e = await queryFeatures({ url: layer, params: { token: firstToken } }).then(() => null, (err) => err);
    if (e && e.response?.error?.code !== 498) throw new Error(`expired token: expected body code 498, got ${e.name}: ${e.message}`);
    return e !== null;
  }, { timeoutMs: 15_000, intervalMs: 500, what: "the sample to reject the first token as expired (498)" });
  out.expiredAfterSeconds = Math.round((Date.now() - started) / 100) / 10;

  // (d1) Reactive refresh: a session restored with only the old token (no known expiry, so
  // getFreshToken() l.970-971 sends it as-is). The sample answers 498; request() catches the
  // ArcGISAuthError, sees canRefresh (username+password), calls refreshCredentials() and retries
  // once (request.js l.458-466, ArcGISAuthError.retry l.89-118).
  const restored = new ArcGISIdentityManager({ server, portal: `${server}/rest`, username, password, token: firstToken });
  mark = wire.length;
  const afterRetry = await queryFeatures({ url: layer, authentication: restored });
  const retryWire = since(mark);
  out.reactiveRefresh = {
    features: afterRetry.features?.length,
    generateTokenCalls: count(retryWire, "/generateToken"),
    first498: retryWire[0]?.bodyErrorCode === 498,
    tokenChanged: restored.token !== firstToken,
    wire: retryWire,
  };
  assert.equal(retryWire[0]?.bodyErrorCode, 498, "the stale token got a 498 body");
  assert.equal(retryWire[0]?.status, 200, "...with HTTP 200 (a non-2xx status is never refreshed: request.js l.355-365)");
  assert.equal(out.reactiveRefresh.generateTokenCalls, 1, "exactly one generateToken during the retry");
  assert.ok(out.reactiveRefresh.tokenChanged, "the session holds a new token");
  assert.equal(afterRetry.features?.length, 12, "the retried query returns the features");

  // (d2) Proactive refresh: the original session knows `tokenExpires` from generateToken, so
  // getFreshToken() (l.973-983) refreshes *before* sending. If the sample's `expires` were later
  // than the real expiry, the reactive path above would run instead; both must end in success.
  mark = wire.length;
  const proactive = await queryFeatures({ url: layer, authentication: session });
  const proWire = since(mark);
  out.proactiveRefresh = { features: proactive.features?.length, generateTokenCalls: count(proWire, "/generateToken"), saw498: proWire.some((w) => w.bodyErrorCode === 498), wire: proWire };
  assert.equal(proactive.features?.length, 12, "the original session recovers after expiry");
  assert.equal(out.proactiveRefresh.generateTokenCalls, 1, "exactly one generateToken for the refresh");

  // (e) KEEP_QUERYING_SECONDS=n: the signed-in session queries back to back for n seconds (e.g. through a gateway
  // whose own tokens at the service behind it expire every few seconds): every query gets the 12 features, and the
  // client never has to sign in again, since its token is the gateway's, not the service's.
  async function keepQuerying(result) {
    const started = Date.now();
    const mark = wire.length;
    let queries = 0;
    while (Date.now() - started < keepQueryingSeconds * 1000) {
      const answer = await queryFeatures({ url: layer, authentication: session });
      queries++;
      assert.equal(answer.features?.length, 12, `query ${queries} after ${Date.now() - started} ms: feature count`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const kept = since(mark);
    result.keepQuerying = {
      queries,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      generateTokenCalls: count(kept, "/generateToken"),
      errors: kept.filter((w) => w.status !== 200 || w.bodyErrorCode !== undefined).length,
    };
    assert.equal(result.keepQuerying.errors, 0, "no query was refused or failed");
  }
});
