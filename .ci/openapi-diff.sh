#!/usr/bin/env bash
# Fails when openapi/openapi.json differs from what `confab openapi` prints now.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/generated-diff.sh" openapi openapi/openapi.json
