#!/usr/bin/env bash
# The TypeScript client a developer would generate, run against a scratch server:
# types from openapi/openapi.json by openapi-typescript (at check time), calls through
# openapi-fetch, WebSocket frames typed from openapi/asyncapi.json
# (.ci/asyncapi/frame-types.mjs). .ci/clients/flow.ts must compile under
# `tsc --strict` with no cast (`as`), then node runs it: register two users → direct
# chat → send → retry (200, same id) → list with the cursor → read → a socket receives.
# Usage: ts-client-check.sh [CONFAB_BINARY] (default: builds target/debug/confab)
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
binary=${1:-}
if [ -z "$binary" ]; then
    cargo build -q -p confab
    binary=${CARGO_TARGET_DIR:-$root/target}/debug/confab
fi
binary=$(realpath "$binary")

if grep -nE '^[^/]*[^/[:alnum:]_]as[[:space:]]+[[:alnum:]_{(]' .ci/clients/flow.ts; then
    die "a cast (\`as\`) in .ci/clients/flow.ts: the generated types must be enough"
fi
dir=$(bash .ci/clients/install.sh)
bash .ci/asyncapi/install.sh
build=$dir/ts-client
rm -rf "$build"
mkdir -p "$build"
cp .ci/clients/flow.ts .ci/clients/tsconfig.json "$build/"
"$dir/node_modules/.bin/openapi-typescript" openapi/openapi.json -o "$build/schema.d.ts"
node .ci/asyncapi/frame-types.mjs openapi/asyncapi.json "$build/frames.ts"
"$dir/node_modules/.bin/tsc" --version
"$dir/node_modules/.bin/tsc" -p "$build/tsconfig.json"
echo "flow.ts compiles under tsc --strict against the generated types"

# Node 22 has a WebSocket global; Node 20.10+ behind a flag; older ones none.
node_flags=()
if ! node -e 'if (typeof WebSocket !== "function") process.exit(1)'; then
    node_flags+=(--experimental-websocket --no-warnings)
    node "${node_flags[@]}" -e 'if (typeof WebSocket !== "function") process.exit(1)' ||
        die "node $(node --version) has no WebSocket: Node 20.10 or later is needed"
fi
with_scratch_dir ts-client
start_scratch_server "$binary" "$work" info
node "${node_flags[@]}" "$build/out/flow.js" "$base"
