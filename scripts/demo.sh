#!/usr/bin/env bash
# The main job: install what is missing, build and install the extension, start a throw-away
# PostgreSQL cluster, and walk one SKU through receive / allocate / fulfill / return / count,
# showing the ledger and the levels. The cluster is removed at the end, also on failure.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

ensure_packages
build_and_install_extension
trap stop_cluster EXIT
start_cluster

log "walk-through (scripts/demo.sql)"
psql -X -q -v ON_ERROR_STOP=1 -f scripts/demo.sql
log "done; the throw-away cluster is removed now"
