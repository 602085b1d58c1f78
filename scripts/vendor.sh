#!/usr/bin/env bash
# Refresh the vendored front-end files from the exact versions in package-lock.json and
# record those versions beside them. Run through `make vendor`; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --ignore-scripts --no-audit --no-fund
out=platform/deelbaar/static/vendor
rm -rf "$out" && mkdir -p "$out/utrecht" "$out/htmx"
cp node_modules/@utrecht/component-library-css/dist/index.css "$out/utrecht/component-library.css"
cp node_modules/@utrecht/design-tokens/dist/index.css "$out/utrecht/design-tokens.css"
cp node_modules/@utrecht/component-library-css/LICENSE.md "$out/utrecht/LICENSE.md" 2>/dev/null || true
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$out/htmx/LICENSE" 2>/dev/null || true
{
  echo "# Vendored by scripts/vendor.sh (make vendor) from package-lock.json; do not edit."
  for pkg in @utrecht/component-library-css @utrecht/design-tokens htmx.org; do
    printf '%s %s\n' "$pkg" "$(node -p "require('./node_modules/$pkg/package.json').version")"
  done
} > "$out/VERSIONS.txt"
cat "$out/VERSIONS.txt"
