#!/usr/bin/env bash
# Fails when openapi/asyncapi.json differs from what `confab asyncapi` prints now.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ -f openapi/asyncapi.json ] || die "openapi/asyncapi.json is missing"
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
cargo run -q -p confab -- asyncapi >"$generated"
if ! cmp -s openapi/asyncapi.json "$generated"; then
    diff -u openapi/asyncapi.json "$generated" | head -n 80 || true
    die "openapi/asyncapi.json is stale: run \`cargo run -p confab -- asyncapi > openapi/asyncapi.json\`"
fi
echo "openapi/asyncapi.json is up to date ($(wc -c <openapi/asyncapi.json) bytes)"
