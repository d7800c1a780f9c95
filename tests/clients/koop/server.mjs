// An unmodified Koop (@koopjs/koop-core with its default output, @koopjs/output-geoservices, and
// @koopjs/provider-file-geojson) serving koop/data/*.geojson as ArcGIS FeatureServers at
// /file-geojson/rest/services/<file>/FeatureServer/0, the service behind the gateway sample in
// tests/Status499.Tests/RealClients/GatewayKoopTests.cs. No auth plugin is registered, so Koop has no token check
// of its own (koop-core src/index.js registers one only through koop.register(<auth plugin>)).
//
//   node koop/server.mjs [port]     # or KOOP_PORT=<port>; 0 (the default) = any free port
//
// Prints `KOOP_URL=http://127.0.0.1:<port>` on stdout once it listens (the test waits for that line).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

// koop-core reads its settings with the `config` package, which warns on stderr when ./config does not exist;
// everything this server needs is passed to the constructor. Set before the require below loads `config`.
process.env.SUPPRESS_NO_CONFIG_WARNING ??= "1";

const require = createRequire(import.meta.url);
const Koop = require("@koopjs/koop-core");
const fileGeoJson = require("@koopjs/provider-file-geojson");

const port = Number(process.argv[2] ?? process.env.KOOP_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`koop/server.mjs: not a port: ${process.argv[2] ?? process.env.KOOP_PORT}`);
  process.exit(2);
}

const koop = new Koop({ logLevel: process.env.KOOP_LOG_LEVEL ?? "warn" });
// The provider joins dataDir to process.cwd() (provider-file-geojson src/model.js), so it is given relative to it.
koop.register(fileGeoJson, { dataDir: path.relative(process.cwd(), path.join(path.dirname(fileURLToPath(import.meta.url)), "data")) || "." });

const server = koop.server.listen(port, "127.0.0.1", () => {
  console.log(`KOOP_URL=http://127.0.0.1:${server.address().port}`);
});
server.on("error", (e) => {
  console.error(`koop/server.mjs: ${e.message}`);
  process.exit(1);
});
