// Bundles app.mjs + @arcgis/core with esbuild into maps-sdk/dist/ and copies the SDK's assets
// next to it, so the sample can serve the folder as static files under /maps-sdk/ (no CDN):
//   dist/index.html, dist/app.js, dist/chunks/*.js, dist/assets/esri/** (workers, themes, t9n, wasm...)
// Run: node maps-sdk/build.mjs   (from tests/clients, after npm ci)
import { build } from "esbuild";
import { cp, copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "dist");
// The SDK resolves workers, CSS, translations and wasm under esriConfig.assetsPath at run time
// (config.js defaults it to js.arcgis.com); app.mjs points it at ./assets, copied here.
const sdkRoot = path.dirname(fileURLToPath(import.meta.resolve("@arcgis/core/config.js")));

const started = Date.now();
await rm(dist, { recursive: true, force: true });
await build({
  entryPoints: [path.join(here, "app.mjs")],
  bundle: true,
  format: "esm",
  splitting: true, // the SDK loads most modules with dynamic import(); keep them as lazy chunks
  outdir: dist,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
await copyFile(path.join(here, "index.html"), path.join(dist, "index.html"));
await cp(path.join(sdkRoot, "assets"), path.join(dist, "assets"), {
  recursive: true,
  filter: (src) => !src.endsWith(".scss"), // theme sources; the compiled main.css is what pages load
});
console.log(`maps-sdk: built ${path.relative(process.cwd(), dist) || dist} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
