#!/usr/bin/env bash
# Send→deliver across two nodes (issue 4): two release confab nodes on one fresh
# PostgreSQL database and one Redis, `confab-bench fanout` sending to node A. For each
# rate the members' sockets sit first on node B (every event crosses Redis), then on
# node A (the same node as the sends, for comparison). Rate limits are off.
#
# Usage: cargo build --release -p confab -p confab-bench && bash scripts/bench-two-nodes.sh
# Knobs: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test; the script
# creates and drops the database confab_bench_two there), REDIS_URL (default
# redis://127.0.0.1:6379), RATES (default "50 200 500"), SECONDS_EACH (default 10),
# OUT (a directory for one JSON report per run; default: none).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${BIN:-$root/target/release/confab}
bench=${BENCH:-$root/target/release/confab-bench}
admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
redis=${REDIS_URL:-redis://127.0.0.1:6379}
database=confab_bench_two
work=$(mktemp -d "${TMPDIR:-/tmp}/confab-two-nodes.XXXXXX")
node_a="" node_b=""

cleanup() {
    local pid
    for pid in $node_a $node_b; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

psql -q "$admin" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database" >/dev/null
export DATABASE_URL="${admin%/*}/$database" CONFAB_REDIS_URL="$redis" RUST_LOG=warn \
    CONFAB_JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')" \
    CONFAB_AUTH_RATE_PER_MINUTE=0 CONFAB_SEND_RATE_PER_SECOND=0
"$bin" migrate >/dev/null
CONFAB_BIND=127.0.0.1:18501 "$bin" serve >"$work/node-a.log" 2>&1 &
node_a=$!
CONFAB_BIND=127.0.0.1:18502 "$bin" serve >"$work/node-b.log" 2>&1 &
node_b=$!
for port in 18501 18502; do
    until curl -fs -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.1; done
done

for rate in ${RATES:-50 200 500}; do
    for node in B A; do
        port=$([ "$node" = B ] && echo 18502 || echo 18501)
        echo "=== $rate sends/s to node A, sockets on node $node"
        json=()
        [ -n "${OUT:-}" ] && json=(--json-file "$OUT/two-nodes-$rate-$node.json")
        "$bench" --url http://127.0.0.1:18501 --server-pid "$node_a" "${json[@]}" \
            fanout -s "$rate" -t "${SECONDS_EACH:-10}" --socket-url "http://127.0.0.1:$port"
    done
done
# A node that lost its Redis subscription would have made every socket catch up
# from the log; say so rather than report a figure it distorted.
if grep -h "subscription lost" "$work"/node-*.log; then
    echo "warning: a node lost its Redis subscription during the runs" >&2
fi
