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
work=$(mktemp -d "${TMPDIR:-/tmp}/confab-bench-smoke.XXXXXX")
server_pid=""

stop_server() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 40); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
        note "last lines of the server log:"
        tail -n 40 "$work/server.log" >&2 || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

section "bench smoke: build confab and confab-bench (debug)"
(cd "$root" && cargo build -q -p confab -p confab-bench)

section "bench smoke: start the server"
port=$(free_port)
base="http://127.0.0.1:$port"
# From the temporary directory so a developer's .env is not picked up. The rate limits
# are off: the harness measures the server, not its limiter.
(
    cd "$work"
    exec env -u CONFAB_REDIS_URL \
        DATABASE_URL="sqlite://$work/confab.db?mode=rwc" \
        CONFAB_BIND="127.0.0.1:$port" \
        CONFAB_JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')" \
        CONFAB_AUTH_RATE_PER_MINUTE=0 \
        CONFAB_SEND_RATE_PER_SECOND=0 \
        RUST_LOG="${RUST_LOG:-warn}" \
        "$target_dir/debug/confab" serve
) >"$work/server.log" 2>&1 &
server_pid=$!
wait_for_http "$base/health" 60 "$server_pid" || die "the server did not become healthy"
note "server $server_pid is up at $base"

section "bench smoke: confab-bench smoke"
"$target_dir/debug/confab-bench" --url "$base" smoke --server-pid "$server_pid" \
    || die "confab-bench smoke reported errors"
