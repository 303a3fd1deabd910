#!/usr/bin/env bash
# The web client's checks (crates/web): its vendored modules match package-lock.json,
# its API types match openapi/openapi.json, `tsc --checkJs --strict` passes, and the
# end-to-end test (crates/web/e2e/e2e.mjs) passes in headless Chromium against a
# debug confab on a scratch SQLite database. Screenshots and figures (asset size,
# time to first message) land in target/ci-artifacts/web/.
#
# Usage: .ci/web-e2e.sh
# Installs Debian's chromium and Node.js when missing (as root) and the npm packages
# of crates/web/e2e (pinned by its lockfile; reused while the lockfile is unchanged).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
e2e=$root/crates/web/e2e
artifacts=$target_dir/ci-artifacts/web
with_scratch_dir web-e2e

section "web: tools"
command -v chromium >/dev/null || apt_install chromium
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
echo "chromium: $(chromium --version 2>/dev/null | head -n 1); node: $(node --version)"
lock_sum=$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$e2e/node_modules/.confab-lock-sum" 2>/dev/null)" != "$lock_sum" ]; then
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" >"$e2e/node_modules/.confab-lock-sum"
else
    echo "npm packages up to date with package-lock.json"
fi

section "web: vendored modules, API types, type check"
(cd "$e2e" && node vendor.mjs --check)
generated=$work/openapi.d.ts
(cd "$e2e" && npx --no-install openapi-typescript "$root/openapi/openapi.json" -o "$generated" >/dev/null)
if ! cmp -s "$generated" "$root/crates/web/types/openapi.d.ts"; then
    diff -u "$root/crates/web/types/openapi.d.ts" "$generated" | head -n 40 || true
    die "crates/web/types/openapi.d.ts is stale: run \`npm run types\` in crates/web/e2e"
fi
echo "crates/web/types/openapi.d.ts matches openapi/openapi.json"
(cd "$e2e" && npx --no-install tsc -p tsconfig.json)
echo "tsc --checkJs --strict: no errors"

section "web: build confab (debug) and start it"
(cd "$root" && cargo build -q -p confab)
# Short-lived access tokens, so the test renews them (rotating the refresh token)
# many times, from two tabs at once too.
export CONFAB_ACCESS_TTL_SECONDS=${CONFAB_ACCESS_TTL_SECONDS:-20}
# The outbox the test reads the mailed links from.
export CONFAB_MAIL_DIR=$work/mail
start_scratch_server "$target_dir/debug/confab" "$work" "${RUST_LOG:-warn}"

section "web: end-to-end in headless Chromium"
rm -rf "$artifacts"
mkdir -p "$artifacts"
# CONFAB_BINARY: the test starts a second, invite-only server of its own.
run_e2e() {
    (cd "$e2e" && CONFAB_BASE="$base" ARTIFACTS="$artifacts" CHROMIUM="$(command -v chromium)" \
        CONFAB_BINARY="$target_dir/debug/confab" node e2e.mjs)
}
# A second try tells a flake (two browsers and a server racing on two busy cores)
# from a fault. The first try's failure stays in the log above, with the step it
# was at and a screenshot of each page (failure-*.png); a test that fails twice
# fails the step.
if ! run_e2e; then
    note "the end-to-end test failed (output above); running it once more"
    mkdir -p "$artifacts/first-try"
    mv "$artifacts"/failure-*.png "$artifacts/first-try/" 2>/dev/null || true
    run_e2e || die "the end-to-end test failed twice"
    note "FLAKY: the end-to-end test passed on its second try; the first failure is above"
fi
echo "screenshots and results.json in $artifacts"
