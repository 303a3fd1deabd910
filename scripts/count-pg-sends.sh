#!/usr/bin/env bash
# Round trips to PostgreSQL per confab send, under load: `confab-bench send` (32
# senders, 32 chats) against a fresh server and database, and for 5 s in the middle
# of it, `perf stat` counts the send() calls of every PostgreSQL process (one per
# answer a backend writes: a round trip) and the messages stored meanwhile. Unlike
# scripts/count-round-trips.sh, which counts transactions of one request at a time,
# this sees what batching and prepared statements save. Needs perf (tracepoints) and
# a local PostgreSQL with trust auth.
#
# Usage: bash scripts/count-pg-sends.sh SERVER BENCH LABEL
set -uo pipefail
bin=$1 bench=$2 label=$3
port=$((18800 + RANDOM % 90))
base=postgres://postgres@127.0.0.1:5432
db="sends_$RANDOM$RANDOM"
psql -q $base/test -c "CREATE DATABASE $db"
dir=$(mktemp -d)
env DATABASE_URL="$base/$db" CONFAB_BIND=127.0.0.1:$port CONFAB_JWT_SECRET=0123456789abcdef0123456789abcdef01234567 \
    RUST_LOG=warn CONFAB_AUTH_RATE_PER_MINUTE=0 CONFAB_SEND_RATE_PER_SECOND=0 CONFAB_MAIL_DIR="$dir/mail" \
    "$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
"$bench" --url http://127.0.0.1:$port send -c 32 -t 14 >"$dir/bench.txt" 2>&1 &
bench_pid=$!
sleep 6
stored() { psql -qtA "$base/$db" -c "SELECT count(*) FROM messages"; }
before=$(stored)
perf stat -x, -e 'syscalls:sys_enter_sendto' -a --per-thread -o "$dir/stat.txt" -- sleep 5 2>/dev/null
after=$(stored)
wait $bench_pid
pg_sends=$(grep '^postgres' "$dir/stat.txt" | awk -F, '{s += $2} END {print s + 0}')
sends=$((after - before))
echo "== $label: $sends sends in 5 s; PostgreSQL send() calls per confab send: $(python3 -c "print(round($pg_sends / max($sends, 1), 2))")"
kill $pid
wait $pid 2>/dev/null
psql -q $base/test -c "DROP DATABASE $db WITH (FORCE)"
rm -rf "$dir"
