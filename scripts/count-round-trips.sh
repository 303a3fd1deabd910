#!/usr/bin/env bash
# Database transactions per request (GET /me, a history page, a send), counted by
# PostgreSQL itself (pg_stat_database.xact_commit over 200 requests each), so the
# figure does not depend on how busy the machine is. Needs a local PostgreSQL with
# trust auth (as in CI) and curl.
# Usage: bash scripts/count-round-trips.sh target/release/confab LABEL
set -euo pipefail
bin=$1; label=$2; port=18092
db="trips_$RANDOM$RANDOM"; base=postgres://postgres@127.0.0.1:5432
psql -q $base/test -c "CREATE DATABASE $db"
dir=$(mktemp -d)
CONFAB_BIND=127.0.0.1:$port CONFAB_SEND_RATE_PER_SECOND=0 CONFAB_AUTH_RATE_PER_MINUTE=0 \
  CONFAB_JWT_SECRET=0123456789abcdef0123456789abcdef0123 DATABASE_URL="$base/$db" RUST_LOG=warn \
  "$bin" >$dir/server.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
api=http://127.0.0.1:$port/api/v1
tok=$(curl -s -X POST $api/auth/register -H 'content-type: application/json' -d '{"username":"tripper","email":"t@example.com","password":"password123"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["tokens"]["access_token"])')
chat=$(curl -s -X POST $api/chats -H "authorization: Bearer $tok" -H 'content-type: application/json' -d '{"type":"group","name":"trips","member_ids":[]}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
for i in $(seq 20); do curl -s -o /dev/null -X POST $api/chats/$chat/messages -H "authorization: Bearer $tok" -H 'content-type: application/json' -d "{\"body\":\"m$i\"}"; done
count() { psql -qtA $base/test -c "SELECT xact_commit FROM pg_stat_database WHERE datname='$db'"; }
measure() { # N requests of $1 (method) $2 (path) [$3 body]
  local before after; sleep 1.2; before=$(count)
  for i in $(seq 200); do curl -s -o /dev/null -X $1 "$api$2" -H "authorization: Bearer $tok" -H 'content-type: application/json' ${3:+-d "$3"}; done
  sleep 1.2; after=$(count); python3 -c "print(f'{($after-$before)/200:.2f}')"; }
echo "== $label: transactions per request: GET /me $(measure GET /me), history page $(measure GET "/chats/$chat/messages?limit=50"), send $(measure POST /chats/$chat/messages '{"body":"x"}')"
kill $pid; wait $pid 2>/dev/null || true
psql -q $base/test -c "DROP DATABASE $db WITH (FORCE)"; rm -rf $dir
