#!/usr/bin/env bash
# Fails when openapi/asyncapi.json differs from what `confab asyncapi` prints now.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/generated-diff.sh" asyncapi openapi/asyncapi.json
