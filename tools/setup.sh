#!/usr/bin/env bash
# Installs everything Rentstream needs on a fresh Debian bookworm machine (run as root).
# Idempotent and quiet when everything is already present.
#   - Debian packages via apt-get (C++ libraries, compilers, kcat, promtool, JDK, Maven)
#   - Apache Kafka 3.9.x broker jars via Maven into $RENTSTREAM_CACHE/kafka
#   - buf (pinned) via npm into $RENTSTREAM_CACHE/buf
#   - kubernetes-validate (pinned) via pip into $RENTSTREAM_CACHE (offline manifest schemas)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${RENTSTREAM_CACHE:-$HOME/.cache/rentstream}"
KAFKA_VERSION="$(cat "$ROOT/deploy/kafka/VERSION")"
BUF_VERSION="1.47.2"
K8S_VALIDATE_VERSION="1.31.0"

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev librocksdb-dev libabsl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libcpp-httplib-dev libjemalloc-dev
  kcat prometheus qpdf openjdk-17-jre-headless maven nodejs npm curl procps python3 python3-venv
)

log() { echo "setup: $*" >&2; }

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # java/mvn/node may come from outside Debian on some machines; accept those.
  local filtered=()
  for p in "${missing[@]}"; do
    case "$p" in
      openjdk-17-jre-headless) command -v java >/dev/null || filtered+=("$p") ;;
      maven) command -v mvn >/dev/null || filtered+=("$p") ;;
      nodejs | npm) command -v npm >/dev/null || filtered+=("$p") ;;
      *) filtered+=("$p") ;;
    esac
  done
  [ ${#filtered[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${filtered[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # prometheus is only needed for promtool; skip its recommends (and not start a daemon if possible).
  apt-get install -y -qq --no-install-recommends "${filtered[@]}" >/dev/null
}

install_kafka() {
  local dir="$CACHE/kafka-$KAFKA_VERSION"
  if [ -f "$dir/.complete" ]; then return 0; fi
  log "fetching Apache Kafka $KAFKA_VERSION jars with Maven into $dir"
  mkdir -p "$dir/libs"
  sed "s/@KAFKA_VERSION@/$KAFKA_VERSION/" "$ROOT/deploy/kafka/pom.xml.in" >"$dir/pom.xml"
  (cd "$dir" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$dir/libs")
  ls "$dir/libs" | grep -q "^kafka_2.13-$KAFKA_VERSION.jar$"
  touch "$dir/.complete"
}

install_buf() {
  local dir="$CACHE/buf-$BUF_VERSION"
  if [ -x "$dir/node_modules/.bin/buf" ]; then return 0; fi
  log "installing buf $BUF_VERSION with npm into $dir"
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" "@bufbuild/buf@$BUF_VERSION" >/dev/null
}

install_k8s_validate() {
  local dir="$CACHE/kubernetes-validate-$K8S_VALIDATE_VERSION"
  if [ -x "$dir/bin/kubernetes-validate" ]; then return 0; fi
  log "installing kubernetes-validate $K8S_VALIDATE_VERSION with pip into $dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$K8S_VALIDATE_VERSION"
}

install_apt
install_kafka
install_buf
install_k8s_validate
# Stop a prometheus daemon the package may have started: we only need promtool.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
