#!/usr/bin/env bash
# Lints openapi/openapi.json with Redocly CLI (its recommended rules) and Spectral
# (the `spectral:oas` ruleset): any error fails; the warnings are printed as a list.
# The tools come from npm, pinned, installed once under target/ci-tools/spec-lint
# (CARGO_TARGET_DIR is honoured), so a second run needs no network.
#
# Usage: .ci/spec-lint.sh [SPEC]   (default openapi/openapi.json)
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
spec=$(realpath "${1:-$root/openapi/openapi.json}")
tools="${CARGO_TARGET_DIR:-$root/target}/ci-tools/spec-lint"
redocly_version=2.77.0
spectral_version=6.16.3

if ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
wanted="@redocly/cli@$redocly_version @stoplight/spectral-cli@$spectral_version"
if [ "$(cat "$tools/installed" 2>/dev/null)" != "$wanted" ]; then
    section "spec lint: install $wanted into $tools"
    mkdir -p "$tools"
    # shellcheck disable=SC2086 # two package specs, split on purpose
    npm install --prefix "$tools" --no-audit --no-fund --silent $wanted >&2
    echo "$wanted" >"$tools/installed"
fi

status=0
section "spec lint: Redocly CLI $redocly_version (recommended rules)"
# One rule is a warning here: `nullable-type-sibling` wants a `type` beside
# `nullable`, but a nullable reference written `{nullable, oneOf: [{$ref}]}` with a
# `type` makes openapi-python-client drop the `nullable` and fail on a `null` the
# server sends (crates/api/src/spec.rs). A working generated client comes first.
redocly_config=$(mktemp --suffix=.yaml)
printf 'extends:\n  - recommended\nrules:\n  nullable-type-sibling: warn\n' >"$redocly_config"
"$tools/node_modules/.bin/redocly" lint "$spec" --config "$redocly_config" --format stylish || status=1
rm -f "$redocly_config"

section "spec lint: Spectral $spectral_version (spectral:oas)"
ruleset=$(mktemp --suffix=.yaml)
trap 'rm -f "$ruleset"' EXIT
echo 'extends: ["spectral:oas"]' >"$ruleset"
# Errors fail the step; warnings are listed and do not.
"$tools/node_modules/.bin/spectral" lint --ruleset "$ruleset" --fail-severity error \
    --format text "$spec" || status=1

if [ "$status" -ne 0 ]; then
    die "the spec has lint errors (above)"
fi
section "spec lint: no errors (any warnings are listed above)"
