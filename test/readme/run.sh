#!/usr/bin/env bash
# README.md's SQL examples run as pasted, in order, on a fresh database of a private cluster,
# and print what README shows after each (test/readme/readme.py has the convention). One
# "... ok" / "... FAILED" line per block. `run.sh fill` writes each block's actual output into
# README.md instead (read the diff before keeping it).
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
mode=${1:-run}
trap stop_cluster EXIT
start_cluster || { echo "readme check cluster-starts ... FAILED"; exit 1; }
createdb readme_example || { echo "readme check createdb ... FAILED"; exit 1; }
python3 "$REPO_ROOT/test/readme/readme.py" "$mode" "${README_MD:-$REPO_ROOT/README.md}" readme_example
