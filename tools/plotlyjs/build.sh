#!/bin/sh
# Rebuild lrlab/ui/components/plotlyjs/plotly-cartesian.min.js (LR Lab's plotly.js partial bundle)
# from the npm registry: installs package-lock.json's exact versions (plotly.js 4.1.1, esbuild,
# terser) in a temporary folder, runs build.mjs there, and removes the folder. Needs node >= 20, npm.
#   sh tools/plotlyjs/build.sh            (from the repository's root or anywhere)
# To change plotly.js's version: edit package.json, run `npm install --package-lock-only
# --ignore-scripts` here, rebuild, and update lrlab/ui/components/plotlyjs/README.md and
# CARTESIAN_VERSION in lrlab/ui/plotlyjs.py.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../lrlab/ui/components/plotlyjs/plotly-cartesian.min.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/build.mjs" "$work/"
cd "$work"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node build.mjs "$out"
