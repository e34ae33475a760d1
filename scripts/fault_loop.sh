#!/usr/bin/env bash
# Fault loop (issue 12): kill -9 a writer during writes, imports and exports, then check the database.
#
#   ./scripts/fault_loop.sh [RUNS]      (default 1000; CI runs 20 in scripts/test.sh)
#
# Builds the `fault_loop` binary (debug) and runs it: each run starts a writer on one office
# database (registry records one by one, every tenth write an import of 200 rows, others exports of
# the bundle for the city and backups with the key), kills it with SIGKILL
# after a random 60–400 ms (one run in five 1.5–3 s), then checks PRAGMA integrity_check, the full audit verify, that every
# acknowledged write is there, that every import is whole or absent, and that every bundle and backup
# file is whole (the city imports the bundles; the backups verify and their keys open). Prints the figures;
# exits non-zero on any failure. A fresh database every 50 runs keeps each full verify short.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
RUNS="${1:-1000}"
cargo build --bin fault_loop
"$(target_dir)/debug/fault_loop" "$RUNS"
