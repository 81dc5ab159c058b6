#!/usr/bin/env bash
# buf lint (STANDARD) and buf breaking against the previous commit that had proto/.
# Working tree with proto changes → compare with HEAD; clean tree (CI) → compare with HEAD~1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CACHE="${RENTSTREAM_CACHE:-$HOME/.cache/rentstream}"
BUF="$CACHE/buf-$(sed -n 's/^BUF_VERSION="\(.*\)"/\1/p' tools/setup.sh)/node_modules/.bin/buf"
[ -x "$BUF" ] || { echo "buf not installed: run tools/setup.sh" >&2; exit 1; }

"$BUF" lint
echo "buf lint: ok"

against=""
if git rev-parse -q --verify HEAD >/dev/null; then
  if [ -n "$(git status --porcelain -- proto buf.yaml)" ]; then
    against=HEAD
  elif git rev-parse -q --verify HEAD~1 >/dev/null; then
    against=HEAD~1
  fi
fi
if [ -n "$against" ] && [ -n "$(git ls-tree -d "$against" proto)" ]; then
  sha=$(git rev-parse "$against")
  "$BUF" breaking --against ".git#ref=$sha"
  echo "buf breaking: no breaking change against $against ($sha)"
else
  echo "buf breaking: skipped (no previous commit with proto/)"
fi
