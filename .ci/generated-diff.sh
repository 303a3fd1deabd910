#!/usr/bin/env bash
# Fails when the committed document FILE differs from what `confab SUBCOMMAND`
# prints now. Usage: generated-diff.sh SUBCOMMAND FILE (e.g. openapi openapi/openapi.json).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

subcommand=$1 file=$2
[ -f "$file" ] || die "$file is missing"
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
cargo run -q -p confab -- "$subcommand" >"$generated"
if ! cmp -s "$file" "$generated"; then
    diff -u "$file" "$generated" | head -n 80 || true
    die "$file is stale: run \`cargo run -p confab -- $subcommand > $file\`"
fi
echo "$file is up to date ($(wc -c <"$file") bytes)"
