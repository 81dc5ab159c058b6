#!/usr/bin/env bash
# Validates every Kubernetes manifest under k8s/ offline against the Kubernetes 1.30 schemas
# (strict: unknown fields are errors). Kustomization files are rendered, not validated.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CACHE="${RENTSTREAM_CACHE:-$HOME/.cache/rentstream}"
VALIDATE="$CACHE/kubernetes-validate-1.31.0/bin/kubernetes-validate"
mapfile -t files < <(find k8s -name '*.yaml' ! -name 'kustomization.yaml' | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "manifests: none"
  exit 0
fi
"$VALIDATE" --strict -k 1.30.0 --quiet "${files[@]}"
echo "manifests: ${#files[@]} files valid (Kubernetes 1.30, strict)"
