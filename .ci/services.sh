#!/usr/bin/env bash
# Makes sure PostgreSQL (with a `test` database reachable as postgres@127.0.0.1 without
# a password) and Redis are running on loopback, installing them if missing.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_HOST=127.0.0.1
PG_PORT=5432

ensure_postgres() {
    local installed_here=false
    if ! command -v pg_ctlcluster >/dev/null || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        apt_install postgresql postgresql-client
        installed_here=true
    fi
    if $installed_here; then
        # A packaged cluster asks for a password over TCP; the tests connect as
        # postgres@127.0.0.1 without one, as on the development machines.
        local hba
        hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    fi
    if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
        note "starting PostgreSQL"
        # shellcheck disable=SC2046 # one version directory, split on purpose
        pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start \
            || pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart
    elif $installed_here; then
        # shellcheck disable=SC2046
        pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main reload
    fi
    local i
    for ((i = 0; i < 60; i++)); do
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
        sleep 0.5
    done
    pg_isready -h "$PG_HOST" -p "$PG_PORT" || die "PostgreSQL is not accepting connections"
    local admin="postgres://postgres@$PG_HOST:$PG_PORT/postgres"
    if [ "$(psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != "1" ]; then
        note "creating database test"
        psql "$admin" -qc 'CREATE DATABASE test' >/dev/null
    fi
    psql "postgres://postgres@$PG_HOST:$PG_PORT/test" -Atc 'SELECT version()'
}

ensure_redis() {
    if ! command -v redis-server >/dev/null; then
        apt_install redis-server
    fi
    if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" != "PONG" ]; then
        note "starting Redis"
        redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
        local i
        for ((i = 0; i < 40; i++)); do
            [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = "PONG" ] && break
            sleep 0.25
        done
    fi
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = "PONG" ] \
        || die "Redis is not answering on 127.0.0.1:6379"
    redis-cli -h 127.0.0.1 -p 6379 info server | grep -m1 '^redis_version' || true
}

ensure_postgres
ensure_redis
