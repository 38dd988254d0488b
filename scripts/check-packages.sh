#!/usr/bin/env bash
# Pack each published package as npm would publish it (pnpm pack rewrites workspace: ranges),
# then check the tarball: publint (package.json fields vs the files shipped) and
# @arethetypeswrong/cli (types resolve for ESM consumers; the packages are ESM-only, so the
# CommonJS resolutions node10/node16-cjs are ignored by the esm-only profile).
set -euo pipefail
cd "$(dirname "$0")/.."

packs=$(mktemp -d)
trap 'rm -rf "$packs"' EXIT
for pkg in core backend-cpu backend-gpujs backend-tfjs backend-webgpu onnx; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$packs" >/dev/null)
done
for tarball in "$packs"/*.tgz; do
  echo "== $(basename "$tarball")"
  pnpm exec publint run "$tarball" --strict
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped
done
