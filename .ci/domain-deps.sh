#!/usr/bin/env bash
# Fails when confab-domain depends (directly or not) on tokio, sea-orm or poem: the
# domain is a plain library other Rust code can reuse without a runtime or a database.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tree=$(cargo tree -p confab-domain -e normal --prefix none --no-dedupe)
forbidden=$(grep -E '^(tokio|sea-orm|sea-query|sqlx|poem)(-[a-z0-9-]+)? v' <<<"$tree" | sort -u || true)
if [ -n "$forbidden" ]; then
    note "confab-domain must not depend on these:"
    printf '%s\n' "$forbidden" >&2
    exit 1
fi
printf 'confab-domain depends on %s crates, none of tokio, sea-orm, poem\n' \
    "$(sort -u <<<"$tree" | wc -l)"
