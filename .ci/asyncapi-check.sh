#!/usr/bin/env bash
# Checks openapi/asyncapi.json with the official AsyncAPI parser (0 errors).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash .ci/asyncapi/install.sh
node .ci/asyncapi/validate.mjs openapi/asyncapi.json
