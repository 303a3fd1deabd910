#!/usr/bin/env bash
# Measures what a client sees while PostgreSQL is unreachable and how soon confab
# serves again once it is back: confab talks to PostgreSQL through a small TCP relay
# on loopback, the relay is stopped (the database "goes away" without touching the
# real server, which other work may be using) and started again.
#
# Usage: scripts/measure-db-recovery.sh PATH/TO/confab [ADMIN_URL]
# ADMIN_URL defaults to postgres://postgres@127.0.0.1:5432/postgres; a scratch
# database is created and dropped.
set -euo pipefail
binary=$(realpath "$1")
admin=${2:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
db="confab_recovery_$RANDOM$RANDOM"
relay_port=$((20000 + RANDOM % 20000))
app_port=$((40000 + RANDOM % 20000))
relay_pid="" app_pid=""
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null || true
    psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/relay.py" <<'PY'
import asyncio, sys
listen, target = int(sys.argv[1]), int(sys.argv[2])
async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()
async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
start_relay() {
    python3 "$work/relay.py" "$relay_port" 5432 &
    relay_pid=$!
    sleep 0.3
}

psql "$admin" -qc "CREATE DATABASE $db"
start_relay
DATABASE_URL="postgres://postgres@127.0.0.1:$relay_port/$db?sslmode=disable" \
    CONFAB_BIND="127.0.0.1:$app_port" CONFAB_AUTH_RATE_PER_MINUTE=0 RUST_LOG=warn \
    "$binary" serve >"$work/server.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$app_port"
for _ in $(seq 100); do curl -fsS "$base/ready" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(curl -fsS -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"username":"recovery","email":"recovery@example.com","password":"recovery-password"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
me() { curl -s -o /dev/null -w '%{http_code} %{time_total}' "$base/api/v1/me" -H "Authorization: Bearer $token"; }
echo "before: GET /me -> $(me)"

kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true; relay_pid=""
echo "database away: GET /me -> $(me) (status, seconds)"
echo "database away: body $(curl -s -i "$base/api/v1/me" -H "Authorization: Bearer $token" | grep -iE '^retry-after|service_unavailable' | tr -d '\r' | tr '\n' ' ')"
sleep 3

start_relay
back=$(date +%s.%N)
while :; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/me" -H "Authorization: Bearer $token")
    [ "$status" = 200 ] && break
    sleep 0.05
done
done_at=$(date +%s.%N)
echo "database back: first 200 after $(python3 -c "print(f'{$done_at - $back:.2f}')") s"
