#!/usr/bin/env bash
# Installs the npm packages pinned in .ci/clients/package-lock.json into
# target/ci-node/clients/node_modules (or under $CARGO_TARGET_DIR), once per lock file:
# later runs reuse them. Prints that directory on stdout. Install scripts are not run:
# none of these packages needs one (playwright-core drives the Chromium Debian installs
# and downloads no browser).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${CARGO_TARGET_DIR:-$root/target}/ci-node/clients

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
mkdir -p "$dir"
stamp=$dir/node_modules/.confab-lock.sha256
wanted=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    note "installing the client check packages into $dir (npm ci)"
    cp "$here/package.json" "$here/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
    echo "$wanted" >"$stamp"
fi
echo "$dir"
