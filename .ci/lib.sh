# Shared helpers for the .ci scripts (sourced, not run).
# shellcheck shell=bash

# Prints a section header that stands out in a long CI log.
section() {
    printf '\n==================== %s ====================\n' "$*"
}

# Prints a line to stderr, prefixed so it is easy to grep in the log.
note() {
    printf '[ci] %s\n' "$*" >&2
}

# Stops the script with a message.
die() {
    printf '[ci] FAILED: %s\n' "$*" >&2
    exit 1
}

# Installs Debian packages when a command is missing (CI runs as root; a developer
# without root gets a clear message instead).
apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        die "missing packages ($*): install them, then run again"
    fi
    note "installing Debian packages: $*"
    # Twice at most: a mirror that hiccups once should not fail a CI run.
    local attempt
    for attempt in 1 2; do
        if DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; then
            return 0
        fi
        note "installing $* failed (attempt $attempt)"
        sleep 5
    done
    die "could not install Debian packages: $*"
}

# Prints a free TCP port on the loopback interface.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until `url` answers 2xx, up to `seconds`; fails early if process `pid` dies.
wait_for_http() {
    local url=$1 seconds=$2 pid=$3 i
    for ((i = 0; i < seconds * 4; i++)); do
        if curl -fs -o /dev/null --max-time 2 "$url"; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            note "the process $pid exited before $url answered"
            return 1
        fi
        sleep 0.25
    done
    note "$url did not answer within ${seconds}s"
    return 1
}

# Starts `$binary serve` on a free loopback port with a fresh SQLite database in the
# directory `$work`, or on the database `$4` when given (it must be fresh too): no
# Redis, rate limits off (load and fuzzing come from one IP; the API tests cover the
# limits), and run from `$work` so a developer's .env is not read.
# Its output goes to $work/server.log. Sets `server_pid` and `base`.
start_scratch_server() {
    local binary=$1 work=$2 log_filter=$3 port secret
    local database_url=${4:-"sqlite://$work/confab.db?mode=rwc"}
    port=$(free_port)
    secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
    base="http://127.0.0.1:$port"
    (
        cd "$work"
        exec env -u CONFAB_REDIS_URL \
            DATABASE_URL="$database_url" \
            CONFAB_BIND="127.0.0.1:$port" \
            CONFAB_JWT_SECRET="$secret" \
            CONFAB_AUTH_RATE_PER_MINUTE=0 \
            CONFAB_SEND_RATE_PER_SECOND=0 \
            RUST_LOG="$log_filter" \
            NO_COLOR=1 \
            "$binary" serve
    ) >"$work/server.log" 2>&1 &
    server_pid=$!
    wait_for_http "$base/health" 60 "$server_pid" || die "the server did not become healthy"
    note "server $server_pid is up at $base"
}

# Stops process `$1`, if it still runs: SIGTERM, up to ten seconds for a graceful
# shutdown, then SIGKILL.
stop_process() {
    local pid=$1
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Makes the scratch directory $work and arranges for however the script ends to stop
# the scratch server ($server_pid, once started), show the end of its log when the
# script failed (warnings and errors first), and remove $work.
# Usage: with_scratch_dir NAME
with_scratch_dir() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/confab-$1.XXXXXX")
    server_pid=""
    trap stop_scratch_server EXIT
    trap 'exit 130' INT TERM
}

stop_scratch_server() {
    local status=$?
    stop_process "$server_pid"
    if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
        note "server log: warnings and errors (last 30), then the last 20 lines"
        grep -E ' (WARN|ERROR) |"level":"(WARN|ERROR)"' "$work/server.log" | tail -n 30 >&2 || true
        tail -n 20 "$work/server.log" >&2 || true
    fi
    rm -rf "$work"
    exit "$status"
}
