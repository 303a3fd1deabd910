#!/usr/bin/env bash
# Runs `confab-bench smoke` (every benchmark scenario at tiny sizes, a few seconds)
# against a debug confab on a free loopback port with a temporary SQLite database and
# rate limits off, so the harness never rots. Fails when the smoke reports any error.
#
# Usage: .ci/bench-smoke.sh
# Builds the debug `confab` and `confab-bench` binaries first (a no-op when fresh).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
with_scratch_dir bench-smoke

section "bench smoke: build confab and confab-bench (debug)"
(cd "$root" && cargo build -q -p confab -p confab-bench)

section "bench smoke: start the server"
start_scratch_server "$target_dir/debug/confab" "$work" "${RUST_LOG:-warn}"

section "bench smoke: confab-bench smoke"
"$target_dir/debug/confab-bench" --url "$base" smoke --server-pid "$server_pid" \
    || die "confab-bench smoke reported errors"
