#!/usr/bin/env bash
# Issue-2 figures on this machine: cold start to /health on a fresh SQLite database,
# idle RSS, sequential login latency (success, wrong password, unknown user: the same
# time by design), and SIGTERM shutdown time. Usage: cargo build --release -p confab && bash scripts/measure-basics.sh
set -euo pipefail
rm -f "${WORK:-/tmp}/confab.db"*
BIN=${BIN:-target/release/confab}
export DATABASE_URL="sqlite://${WORK:-/tmp}/confab.db?mode=rwc" CONFAB_BIND=127.0.0.1:18080 CONFAB_JWT_SECRET=$(python3 -c 'import secrets;print(secrets.token_hex(32))') CONFAB_AUTH_RATE_PER_MINUTE=0 RUST_LOG=warn
t0=$(date +%s.%N); $BIN serve >"${WORK:-/tmp}/server.log" 2>&1 & pid=$!
until curl -sf http://127.0.0.1:18080/health >/dev/null; do sleep 0.005; done
t1=$(date +%s.%N); echo "cold start (fresh SQLite, migrations applied) to /health: $(python3 -c "print(round(($t1-$t0)*1000))") ms"
sleep 2; echo "idle RSS: $(grep VmRSS /proc/$pid/status)"
curl -sf -o /dev/null -X POST http://127.0.0.1:18080/api/v1/auth/register -H 'content-type: application/json' -d '{"username":"meas","email":"meas@example.com","password":"password123"}'
python3 - <<'PY'
import json,time,urllib.request,statistics
def login():
    r=urllib.request.Request("http://127.0.0.1:18080/api/v1/auth/login",data=json.dumps({"login":"meas","password":"password123"}).encode(),headers={"content-type":"application/json"})
    t=time.perf_counter(); urllib.request.urlopen(r).read(); return (time.perf_counter()-t)*1000
def bad(user):
    r=urllib.request.Request("http://127.0.0.1:18080/api/v1/auth/login",data=json.dumps({"login":user,"password":"wrongpass1"}).encode(),headers={"content-type":"application/json"})
    t=time.perf_counter()
    try: urllib.request.urlopen(r)
    except Exception: pass
    return (time.perf_counter()-t)*1000
bad("nobody"); 
for name,f in [("login ok",login),("wrong password",lambda: bad("meas")),("unknown user",lambda: bad("nobody"))]:
    xs=sorted(f() for _ in range(40))
    print(f"{name}: p50 {statistics.median(xs):.1f} ms, p90 {xs[35]:.1f} ms (40 sequential requests)")
PY
echo "RSS after logins: $(grep VmRSS /proc/$pid/status)"
kill -TERM $pid; t2=$(date +%s.%N); wait $pid; echo "SIGTERM exit $? after $(python3 -c "print(round(($(date +%s.%N)-$t2)*1000))") ms"
