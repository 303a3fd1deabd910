#!/usr/bin/env bash
# Fails when openapi/openapi.json differs from what `confab openapi` prints now.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ -f openapi/openapi.json ] || die "openapi/openapi.json is missing"
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
cargo run -q -p confab -- openapi >"$generated"
if ! cmp -s openapi/openapi.json "$generated"; then
    diff -u openapi/openapi.json "$generated" | head -n 80 || true
    die "openapi/openapi.json is stale: run \`cargo run -p confab -- openapi > openapi/openapi.json\`"
fi
echo "openapi/openapi.json is up to date ($(wc -c <openapi/openapi.json) bytes)"
