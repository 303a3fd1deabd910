#!/usr/bin/env bash
# Installs the npm packages pinned in .ci/asyncapi/package-lock.json into
# .ci/asyncapi/node_modules, once per lock file (later runs reuse them). Install
# scripts are not run: none of these packages needs one.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
stamp=node_modules/.confab-lock.sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    note "installing the AsyncAPI check packages (npm ci)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    echo "$wanted" >"$stamp"
fi
