#!/usr/bin/env bash
# Checks that docs/ — the OpenAPI that swag generates from the handlers' annotations, served at
# /swagger/index.html — matches the code. CI runs it.
#
#   scripts/check-docs.sh         # fail, showing the difference, when docs/ is stale
#   scripts/check-docs.sh --fix   # regenerate docs/
#
# It installs the swag CLI at the version go.mod pins (into ~/.cache/fayuan-tools) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SWAG_VERSION=v1.16.6
bindir="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/fayuan-tools/swag-$SWAG_VERSION"
swag="$bindir/swag"
if [[ ! -x "$swag" ]]; then
  echo "check-docs: installing swag $SWAG_VERSION into $bindir" >&2
  GOBIN="$bindir" go install "github.com/swaggo/swag/cmd/swag@$SWAG_VERSION"
fi
# The flags the committed docs/ were made with; keep them in step with the README.
flags=(init --quiet -g main.go --parseInternal --outputTypes go,json,yaml)

case "${1:-}" in
  --fix)
    "$swag" "${flags[@]}" -o docs
    echo "check-docs: docs/ regenerated"
    exit 0 ;;
  "") ;;
  *) echo "usage: scripts/check-docs.sh [--fix]" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$swag" "${flags[@]}" -o "$tmp/docs" # same folder name, so the same Go package name
if ! diff -ru docs "$tmp/docs" >"$tmp/diff"; then
  echo "check-docs: docs/ is stale — it does not match the swag annotations in the code:" >&2
  head -n 60 "$tmp/diff" | sed "s|$tmp/docs|generated|g" >&2
  echo "check-docs: regenerate it with scripts/check-docs.sh --fix" >&2
  echo "            (or: swag init -g main.go -o docs --parseInternal --outputTypes go,json,yaml, swag $SWAG_VERSION) and commit docs/" >&2
  exit 1
fi
echo "check-docs: docs/ is current"
