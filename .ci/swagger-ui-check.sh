#!/usr/bin/env bash
# Swagger UI at /docs in headless Chromium (Debian's package, driven by playwright-core
# from npm, .ci/clients/swagger-ui.mjs) against a scratch server: register and log in
# through "Try it out" with the pre-filled example bodies, authorize with the token,
# call getMe (200), reload and call it again with the remembered token. Keeps a screenshot at target/ci-artifacts/swagger-ui.png.
# Usage: swagger-ui-check.sh [CONFAB_BINARY] (default: builds target/debug/confab)
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
binary=${1:-}
if [ -z "$binary" ]; then
    cargo build -q -p confab
    binary=$target/debug/confab
fi
binary=$(realpath "$binary")

chromium=${CONFAB_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    apt_install chromium
fi
"$chromium" --version 2>/dev/null | head -n 1
dir=$(bash .ci/clients/install.sh)
mkdir -p "$target/ci-artifacts"
screenshot=$target/ci-artifacts/swagger-ui.png
rm -f "$screenshot"

with_scratch_dir swagger-ui
start_scratch_server "$binary" "$work" info
cp .ci/clients/swagger-ui.mjs "$dir/"
node "$dir/swagger-ui.mjs" "$base" "$screenshot" "$chromium"
[ -s "$screenshot" ] || die "no screenshot at $screenshot"
