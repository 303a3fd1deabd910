#!/usr/bin/env bash
# One confab-bench scenario against a fresh server and a fresh database, the way the
# alternated old ÷ new figures in docs/benchmarks.md were taken: rate limits off,
# the server's RSS printed when idle and after the run (and SETTLE seconds later),
# and on PostgreSQL the RSS of the pool's backends.
#
# Usage: [PGBENCH=1] [SETTLE=10] bash scripts/bench-one.sh SERVER BENCH LABEL sqlite|pg SCENARIO [ARGS...]
#   e.g. PGBENCH=1 bash scripts/bench-one.sh target/release/confab target/release/confab-bench new pg send -c 32 -t 10
# PGBENCH=1 adds `--pg-url` of a scratch database, so the run includes the pgbench
# baseline. The JSON report is left in $OUT/LABEL.json (OUT defaults to /tmp/confab-bench).
# Needs a local PostgreSQL with trust auth for `pg` (as in CI).
set -uo pipefail
bin=$1 bench=$2 label=$3 kind=$4
shift 4
out=${OUT:-/tmp/confab-bench}
mkdir -p "$out"
port=$((18400 + RANDOM % 500))
dir=$(mktemp -d)
base=postgres://postgres@127.0.0.1:5432
if [ "$kind" = pg ]; then
    db="bench_$RANDOM$RANDOM" scratch="baseline_$RANDOM$RANDOM"
    psql -q $base/test -c "CREATE DATABASE $db" -c "CREATE DATABASE $scratch"
    url="$base/$db"
else
    url="sqlite://$dir/db.sqlite?mode=rwc"
fi
ulimit -n 20000 2>/dev/null || true
env DATABASE_URL="$url" CONFAB_BIND=127.0.0.1:$port CONFAB_JWT_SECRET=0123456789abcdef0123456789abcdef01234567 \
    RUST_LOG=warn CONFAB_AUTH_RATE_PER_MINUTE=0 CONFAB_SEND_RATE_PER_SECOND=0 CONFAB_MAIL_DIR="$dir/mail" \
    "$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
sleep 1
rss() { grep VmRSS "/proc/$pid/status" | tr -s ' \t' ' '; }
echo "== $label $kind $* (load $(cut -d' ' -f1-3 /proc/loadavg)); idle $(rss)"
args=("$@")
if [ "$kind" = pg ] && [ "${PGBENCH:-}" = 1 ]; then args+=(--pg-url "$base/$scratch"); fi
"$bench" --url http://127.0.0.1:$port --server-pid $pid --json-file "$out/$label.json" "${args[@]}" 2>&1 | grep -v '^\s*$'
echo "   after: $(rss)"
if [ -n "${SETTLE:-}" ]; then sleep "$SETTLE"; echo "   ${SETTLE} s later: $(rss)"; fi
if [ "$kind" = pg ]; then
    # RssAnon: a backend's own memory (its plan cache among it), not the shared buffers.
    backends=$(pgrep -f "postgres: .*postgres $db ")
    echo "   PostgreSQL backends of this database: $(for b in $backends; do grep RssAnon "/proc/$b/status"; done |
        awk '{n++; s+=$2} END {printf "%d processes, %.1f MB anonymous RSS", n, s/1024}')"
fi
kill $pid
wait $pid 2>/dev/null
if [ "$kind" = pg ]; then psql -q $base/test -c "DROP DATABASE $db WITH (FORCE)" -c "DROP DATABASE $scratch WITH (FORCE)"; fi
rm -rf "$dir"
