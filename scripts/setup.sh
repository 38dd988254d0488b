#!/usr/bin/env bash
# Set up Flint on a fresh Debian/Ubuntu machine and run the main job.
#   bash scripts/setup.sh            system packages, pnpm, dependencies, build, then `pnpm mnist`
#   bash scripts/setup.sh --no-train everything but the training run (CI uses this)
set -euo pipefail
cd "$(dirname "$0")/.."

train=1
[ "${1:-}" = "--no-train" ] && train=0

# System packages: a virtual X display and GL headers (gpu.js's headless-gl addon builds from
# source), the node-gyp toolchain, and Fashion-MNIST for the mnist app's benchmark.
# xauth is only "Recommended" by xvfb, and xvfb-run fails without it.
APT_PACKAGES="xvfb xauth libx11-dev libxi-dev libxext-dev pkg-config libgl1-mesa-dev python3 make g++ dataset-fashion-mnist chromium"
if command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends $missing
  fi
else
  echo "setup: no apt-get here; install the equivalents of: $APT_PACKAGES (gpu.js then falls back to its webasm mode without them)" >&2
fi

if ! command -v pnpm >/dev/null 2>&1; then
  npm i -g pnpm@10
fi

pnpm install --frozen-lockfile
pnpm build

if [ "$train" = 1 ]; then
  pnpm mnist
fi
