# Shared by demo.sh and test.sh: install what is missing, build and install the extension, and
# run a throw-away PostgreSQL cluster as an unprivileged user on a private port and socket.
# Source it; it defines functions and sets nothing else.

PG_MAJOR=15
# INVENTORY_PG_BINDIR selects another PostgreSQL 15 installation (a developer's private copy).
PG_BINDIR=${INVENTORY_PG_BINDIR:-/usr/lib/postgresql/${PG_MAJOR}/bin}
export PG_CONFIG=${PG_BINDIR}/pg_config
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the build and the tests need.
REQUIRED_PACKAGES=(
  g++ make cmake pkg-config
  "postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" "postgresql-client-${PG_MAJOR}"
  libboost-dev libgtest-dev googletest
  clang libclang-rt-14-dev
  python3
  redis-server libhiredis-dev libpq-dev libssl-dev nlohmann-json3-dev
  locales
  "postgresql-${PG_MAJOR}-cron" "postgresql-${PG_MAJOR}-plproxy"
)

log() { printf '\n==> %s\n' "$*" >&2; }

# The test scripts print one "PREFIX NAME ... ok" / "... FAILED" line per check, which
# scripts/test.sh counts. A script sets failures=0 and CHECK_PREFIX (e.g. "cron check"), then
# calls `check NAME COMMAND...`; failures counts what failed.
check() {
  local name=$1
  shift
  if "$@"; then
    echo "${CHECK_PREFIX:+$CHECK_PREFIX }$name ... ok"
  else
    echo "${CHECK_PREFIX:+$CHECK_PREFIX }$name ... FAILED"
    failures=$((failures + 1))
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=() pkg
  for pkg in "${REQUIRED_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all required packages are installed"
    return
  fi
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" </dev/null
}

build_and_install_extension() {
  log "building and installing the extension"
  make -C "$REPO_ROOT" -j2 PG_CONFIG="$PG_CONFIG" >/dev/null
  as_root make -C "$REPO_ROOT" install PG_CONFIG="$PG_CONFIG" >/dev/null
  # The scale-out router (router/): SQL only, generated from the extension's SQL sources.
  make -C "$REPO_ROOT/router" PG_CONFIG="$PG_CONFIG" >/dev/null
  as_root make -C "$REPO_ROOT/router" install PG_CONFIG="$PG_CONFIG" >/dev/null
}

# Runs a command as the cluster's owner: the postgres system user when we are root (PostgreSQL
# refuses to run as root), ourselves otherwise.
as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

CLUSTER_DIR=""

stop_cluster() {
  if [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ]; then
    if [ -f "$CLUSTER_DIR/data/postmaster.pid" ]; then
      as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate stop \
        >/dev/null 2>&1 || true
    fi
    rm -rf "$CLUSTER_DIR"
  fi
  CLUSTER_DIR=""
}

# Starts a private cluster and exports PGHOST/PGPORT/PGUSER for the clients. The caller sets
# `trap stop_cluster EXIT` so the cluster stops also on failure.
start_cluster() {
  CLUSTER_DIR=$(mktemp -d /tmp/inventory-pg.XXXXXX)
  chmod 700 "$CLUSTER_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$CLUSTER_DIR"; fi
  as_cluster_owner "$PG_BINDIR/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 || {
    cat "$CLUSTER_DIR/initdb.log" >&2
    return 1
  }
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    if as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -w -t 60 \
      -l "$CLUSTER_DIR/server.log" \
      -o "-p $port -k $CLUSTER_DIR -c listen_addresses='' -c fsync=off -c max_connections=50 ${EXTRA_SERVER_OPTIONS:-}" \
      start >/dev/null; then
      export PGHOST="$CLUSTER_DIR" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
      log "PostgreSQL ${PG_MAJOR} running in $CLUSTER_DIR on port $port (socket only)"
      return 0
    fi
    tail -5 "$CLUSTER_DIR/server.log" >&2 || true
  done
  return 1
}
