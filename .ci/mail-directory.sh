#!/usr/bin/env bash
# The mail-directory default end to end from a fresh start: the binary in an empty
# scratch directory with no mail settings writes every mail to ./confab-mail and logs
# its link; every flow (verify, forgot, reset) works from those files. Prints the
# reset flow's latency.
#
# Usage: .ci/mail-directory.sh BINARY [ROUNDS]
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
with_scratch_dir mail-directory

section "mail directory: start the server with no mail settings"
start_scratch_server "$binary" "$work" info
section "mail directory: walk every flow"
python3 "$root/.ci/mail_walkthrough.py" "$base" "$work/confab-mail" "$work/server.log" "${2:-5}"
