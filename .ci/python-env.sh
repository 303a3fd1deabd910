#!/usr/bin/env bash
# Creates (or refreshes) the Python virtual environment `.venv/` with the spec-check
# tools pinned in .ci/requirements.txt. Prints the venv's path.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"

if ! command -v python3 >/dev/null; then
    apt_install python3 python3-venv python3-pip
fi
if [ ! -x "$venv/bin/python" ]; then
    note "creating $venv"
    if ! python3 -m venv "$venv" >&2; then
        apt_install python3-venv
        python3 -m venv "$venv" >&2
    fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/.ci/requirements.txt" >&2
"$venv/bin/st" --version >&2
"$venv/bin/openapi-python-client" --version >&2
"$venv/bin/ruff" --version >&2
echo "$venv"
