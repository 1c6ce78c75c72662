// LR Lab's plotly.js: the 2D charts' partial bundle, built from the npm package plotly.js 4.1.1.
//
// Run by build.sh (node build.mjs OUTFILE, in a folder where `npm ci` installed package-lock.json).
// The route is plotly.js's documented custom bundle for npm users: `plotly.js/lib/core` (plotly.js's
// core: the plot API, the cartesian axes and the components, with the `scatter` trace) plus
// `Plotly.register([...])` of the trace modules the app draws. Two cuts on top, both checked here:
//
// * TRACES: only `contour` and `heatmap` are registered besides `scatter` (tests/test_bundles.py reads
//   every trace type the app sends and checks it is registered in the output);
// * UNUSED: src/core.js registers every component; the lines registering the components no figure
//   of the app uses are removed from it while bundling (each must be found exactly once, or the build
//   stops: a new plotly.js whose core.js changed must be looked at again). A component that is not
//   registered is skipped by plotly.js (Registry.getComponentMethod returns a no-op), and its layout
//   keys are ignored; tests/test_bundles.py checks that no figure of the app uses those keys.
//
// Bundled as plotly.js bundles itself (esbuild-config.js in the package: an IIFE defining the global
// `Plotly`, `global` -> `window`, target es2016; the CSS only the map subplot needs is left out),
// then minified by terser (2 compress passes): 15 KB gzip smaller than esbuild's own minifier
// (measured: 380 vs 395 KB). Licence comments are kept.
import * as esbuild from "esbuild";
import { minify } from "terser";
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

const VERSION = JSON.parse(readFileSync("node_modules/plotly.js/package.json", "utf8")).version;
const TRACES = ["contour", "heatmap"]; // + scatter, which lib/core registers
const UNUSED = ["annotations3d", "images", "rangeslider", "rangeselector", "grid", "errorbars"];
const out = process.argv[2];
if (!out) throw new Error("usage: node build.mjs OUTFILE");

const entry = [
  "var Plotly = require('plotly.js/lib/core');",
  `Plotly.register([${TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(", ")}]);`,
  "module.exports = Plotly;",
].join("\n");

// src/core.js without the registration of the UNUSED components
const dropUnused = {
  name: "drop-unused-components",
  setup(build) {
    build.onLoad({ filter: /plotly\.js[\\/]src[\\/]core\.js$/ }, (args) => {
      let text = readFileSync(args.path, "utf8");
      for (const name of UNUSED) {
        const line = new RegExp(`^\\s*require\\('\\./components/${name}'\\),\\n`, "gm");
        const found = text.match(line) || [];
        if (found.length !== 1) throw new Error(`src/core.js: ${found.length} registrations of ${name}`);
        text = text.replace(line, "");
      }
      return { contents: text, loader: "js" };
    });
  },
};

const bundled = await esbuild.build({
  stdin: { contents: entry, resolveDir: process.cwd(), sourcefile: "lrlab-plotly.js" },
  write: false,
  metafile: true,
  bundle: true,
  format: "iife",
  globalName: "Plotly",
  define: { global: "window", "define.amd": "false" },
  target: "es2016",
  legalComments: "inline",
  // registry.js requires maplibre-gl's CSS for the map subplot only, which is not in this bundle
  loader: { ".css": "empty" },
  plugins: [dropUnused],
  logLevel: "warning",
});
const min = await minify(bundled.outputFiles[0].text, {
  compress: { passes: 2 },
  mangle: true,
  format: { comments: /^!|@license|@preserve/i },
});
const banner = [
  "/**",
  `* plotly.js (LR Lab partial bundle: scatter, ${TRACES.join(", ")} - minified) v${VERSION}`,
  "* Copyright 2012-2026, Plotly, Inc.",
  "* All rights reserved.",
  "* Licensed under the MIT license",
  `* Built by LR Lab's tools/plotlyjs/build.sh; components not registered: ${UNUSED.join(", ")}`,
  "*/",
  "",
].join("\n");
const code = banner + min.code + "\n";
writeFileSync(out, code);
const kb = (n) => (n / 1000).toFixed(1) + " KB";
console.log(`${out}: ${kb(Buffer.byteLength(code))}, ${kb(gzipSync(code, { level: 5 }).length)} gzip (level 5, as Streamlit)`);
console.log("sha256", createHash("sha256").update(code).digest("hex"));

// the npm packages with code in the bundle, and their licences (for the README)
const inputs = Object.values(bundled.metafile.outputs)[0].inputs;
const packages = new Set();
for (const [path, input] of Object.entries(inputs)) {
  const m = path.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (m && input.bytesInOutput > 0 && !path.endsWith(".css")) packages.add(m[1]); // CSS: empty
}
const listed = [...packages].sort().map((name) => {
  const meta = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
  return `${name} ${meta.version} (${meta.license})`;
});
console.log("bundled:", listed.join(", "));
