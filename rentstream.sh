#!/usr/bin/env bash
# Rentstream's entry point.
#   ./rentstream.sh demo   set up, build, and run the demo on the embedded default (no broker)
#   ./rentstream.sh test   set up, build, and run every test (format, contracts, unit, real Kafka)
#   ./rentstream.sh setup | build | bench
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${RENTSTREAM_BUILD_DIR:-$ROOT/build}"
JOBS="${RENTSTREAM_JOBS:-2}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/rentstream/ccache}"

step() { printf '\n== %s\n' "$*"; }

setup() {
  step "setup"
  "$ROOT/tools/setup.sh"
}

build() {
  step "build ($BUILD_DIR, -j$JOBS)"
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  setup) setup ;;
  build) setup; build ;;
  demo)
    setup; build
    step "demo"
    "$BUILD_DIR/tools/rentstream/rentstream" demo "$@"
    ;;
  test)
    setup
    step "format check"
    "$ROOT/tools/check-format.sh"
    step "contracts (buf lint, buf breaking)"
    "$ROOT/tools/check-proto.sh"
    step "manifests (Kubernetes schemas, offline)"
    "$ROOT/tools/check-manifests.sh"
    build
    step "tests"
    cd "$BUILD_DIR"
    ctest --output-on-failure -j "$JOBS" "$@"
    ;;
  bench)
    setup; build
    step "benchmarks"
    for b in "$BUILD_DIR"/bench/*_bench; do [ -x "$b" ] && "$b" "$@"; done
    ;;
  *)
    echo "usage: $0 demo|test|setup|build|bench" >&2
    exit 2
    ;;
esac
