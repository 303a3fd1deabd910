#!/usr/bin/env bash
# confab-domain is the one crate meant for crates.io: package it as `cargo publish`
# would (its README, both licence texts, registry dependencies only), build that
# package on its own, and stop before the upload. Catches a lost README or licence,
# an unversioned path dependency, or metadata crates.io would refuse.
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --allow-dirty: the check is about the package, not about uncommitted work.
files=$(cargo package --list -p confab-domain --allow-dirty)
for required in README.md LICENSE-MIT LICENSE-APACHE; do
    grep -qx "$required" <<<"$files" || die "the confab-domain package lacks $required"
done
cargo publish --dry-run -p confab-domain --allow-dirty
