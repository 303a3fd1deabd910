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
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
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
