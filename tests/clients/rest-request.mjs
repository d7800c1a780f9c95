// Issue "499 Token Required": drives the unmodified @esri/arcgis-rest-request `request()` against
// the sample's secured layer and checks how the client classifies the sample's token errors.
//
// env: SAMPLE_URL (required), DEMO_TOKEN (required: a token the sample accepts).
// Server needs: HTTP 200 + {"error":{"code":499,...,"messageCode":"GWM_0003"}} without a token,
// HTTP 200 + {"error":{"code":498,...}} for an unknown token, 12 features for a valid one,
// and must accept the token as a POST form field and in `X-Esri-Authorization: Bearer`.
import assert from "node:assert/strict";
import { request, ArcGISAuthError, ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { env, sampleUrls, recordFetch, rejection, run } from "./lib/harness.mjs";

await run("rest-request", async (out) => {
  const { server, layer } = sampleUrls();
  const demoToken = env("DEMO_TOKEN");
  const queryUrl = `${layer}/query`;
  const params = { where: "1=1", outFields: "*" }; // request() adds f=json itself (request.js l.180)
  const wire = recordFetch();
  const lastWire = () => wire.at(-1);

  // (a) No authentication. checkForErrors (request.js l.136-146) throws ArcGISAuthError only for
  // body codes 498/499, and only when the HTTP status is 2xx (l.355: a non-ok status becomes a plain
  // ArcGISRequestError "HTTP 499", which never triggers a token refresh). Its `code` is
  // `messageCode || code` (l.138), so with messageCode present the client exposes "GWM_0003",
  // and the numeric 499 is only in `error.response.error.code`.
  const noToken = await rejection(request(queryUrl, { params }), "no token");
  out.noToken = describe(noToken, lastWire());
  assert.ok(noToken instanceof ArcGISAuthError, `no token: expected ArcGISAuthError, got ${noToken.name}: ${noToken.message}`);
  assert.equal(lastWire().status, 200, "no token: the status line must stay 200 (see above)");
  assert.equal(noToken.response?.error?.code, 499, "no token: body error.code");
  assert.equal(noToken.response.error.message, "Token Required");
  assert.equal(noToken.code, "GWM_0003", "no token: the client exposes messageCode as error.code");
  assert.equal(noToken.message, "GWM_0003: Token Required"); // ArcGISAuthError ctor, request.js l.80-81

  // (b) A raw bad token in params: the client sends it as-is (`params.token`, POST form field by
  // default: httpMethod defaults to POST, request.js l.175 and l.324-325). Without messageCode the
  // client's `code` is the number itself.
  const badToken = await rejection(request(queryUrl, { params: { ...params, token: "not-a-real-token" } }), "bad token");
  out.badToken = describe(badToken, lastWire());
  assert.ok(badToken instanceof ArcGISAuthError, `bad token: expected ArcGISAuthError, got ${badToken.name}: ${badToken.message}`);
  assert.equal(lastWire().tokenVia, "form");
  assert.equal(badToken.response?.error?.code, 498, "bad token: body error.code");
  assert.equal(badToken.code, 498, "bad token: error.code (no messageCode in a 498 body)");

  // (c) A valid token through the `authentication` option. ArcGISIdentityManager.fromToken() would
  // call getUser() -> `${portal}/community/self` (ArcGISIdentityManager.js l.556-560,
  // AuthenticationManagerBase.js l.62), a portal
  // endpoint the sample does not have; the plain constructor makes no request. With `portal` set to
  // `<server>/rest`, getToken() matches the layer URL against the portal regex (l.665-672) and
  // returns the token as-is (getFreshToken l.969-971: a token with no expiry is used as-is). Without `portal` it
  // would try a federation exchange against www.arcgis.com (getTokenForServer l.868+).
  const session = new ArcGISIdentityManager({ token: demoToken, server, portal: `${server}/rest` });
  const ok = await request(queryUrl, { params, authentication: session });
  out.validTokenPost = { features: ok.features?.length, tokenVia: lastWire().tokenVia, method: lastWire().method, refererHeader: lastWire().refererHeader };
  assert.equal(ok.features?.length, 12, "valid token (POST): feature count");
  assert.ok(ok.features.every((f) => Number.isInteger(f.attributes?.OBJECTID)), "every feature has an integer OBJECTID attribute");
  assert.equal(lastWire().tokenVia, "form");

  // (d) Same token with httpMethod GET + hideToken: outside a browser the client moves the token
  // into `X-Esri-Authorization: Bearer` (request.js l.281-290), Esri's recommended header.
  const hidden = await request(queryUrl, { params, authentication: session, httpMethod: "GET", hideToken: true });
  out.validTokenHeader = { features: hidden.features?.length, tokenVia: lastWire().tokenVia, method: lastWire().method };
  assert.equal(hidden.features?.length, 12, "valid token (X-Esri-Authorization): feature count");
  assert.equal(lastWire().tokenVia, "X-Esri-Authorization");

  out.wire = wire;
});

function describe(e, w) {
  return {
    errorName: e.name,
    errorCode: e.code, // what the client exposes (messageCode wins)
    bodyCode: e.response?.error?.code, // the numeric ArcGIS code
    messageCode: e.response?.error?.messageCode ?? null,
    message: e.message,
    httpStatus: w?.status,
    tokenVia: w?.tokenVia ?? null,
  };
}
