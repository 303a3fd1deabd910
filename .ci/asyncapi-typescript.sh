#!/usr/bin/env bash
# Generates TypeScript frame types from openapi/asyncapi.json's payload schemas
# (json-schema-to-typescript, .ci/asyncapi/frame-types.mjs) and compiles the typed
# WebSocket client .ci/asyncapi/client.ts against them with `tsc --strict`; the
# client may not cast (`as`) anything.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash .ci/asyncapi/install.sh
mkdir -p .ci/asyncapi/generated
node .ci/asyncapi/frame-types.mjs openapi/asyncapi.json .ci/asyncapi/generated/frames.ts
if grep -nE '^[^/]*[^/[:alnum:]_]as[[:space:]]+[[:alnum:]_{(]' .ci/asyncapi/client.ts; then
    die "a cast (\`as\`) in .ci/asyncapi/client.ts: the generated types must be enough"
fi
.ci/asyncapi/node_modules/.bin/tsc --version
.ci/asyncapi/node_modules/.bin/tsc -p .ci/asyncapi/tsconfig.json
echo "the typed client compiles under tsc --strict against the generated frame types"
