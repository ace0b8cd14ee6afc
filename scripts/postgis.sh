#!/usr/bin/env bash
# Throwaway PostgreSQL + PostGIS cluster for the tests.
#
#   scripts/postgis.sh [start]   install server + PostGIS if missing (apt-get),
#                                start a fresh cluster in a temp dir and print
#                                  GELSENNET_TEST_DB_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
#                                  GELSENNET_PG_DIR=/tmp/gelsennet-pg-XXXX
#                                (log output goes to stderr, so `eval "$(...)"` works)
#   source scripts/postgis.sh    same, but exports both variables into your shell
#   scripts/postgis.sh stop DIR  stop that cluster and delete DIR
#
# The cluster trusts every connection, but listens on 127.0.0.1 only (plus a
# unix socket inside DIR). fsync is off: it is for tests, not for data.

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then   # sourced: run in a child, export
    _gelsennet_pg_env="$(bash "${BASH_SOURCE[0]}" start)" || return
    eval "$_gelsennet_pg_env" && unset _gelsennet_pg_env
    export GELSENNET_TEST_DB_URL GELSENNET_PG_DIR
    echo "GELSENNET_TEST_DB_URL=$GELSENNET_TEST_DB_URL" >&2
    return 0
fi

set -euo pipefail
log() { echo "postgis.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Run a command as root: directly, via sudo, or fail with a clear message.
as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "PostgreSQL/PostGIS missing and no root/sudo to run: $*"
    fi
}

# The server refuses to run as root: then run it as the `postgres` user.
as_pg() {
    if [[ $EUID -ne 0 ]]; then "$@"
    elif command -v runuser >/dev/null; then runuser -u postgres -- "$@"
    else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

# Highest installed server major version ("" if none).
server_version() {
    find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null \
        | awk -F/ '{print $5}' | sort -V | tail -n1 || true
}

ensure_installed() {
    local v
    v="$(server_version)"
    if [[ -n "$v" && -f "/usr/share/postgresql/$v/extension/postgis.control" ]]; then
        return 0
    fi
    log "installing PostgreSQL server and PostGIS with apt-get ..."
    command -v apt-get >/dev/null || die "no apt-get: install PostgreSQL + PostGIS yourself"
    as_root apt-get update -q >&2
    if [[ -z "$v" ]]; then   # the version the distribution's `postgresql` depends on
        v="$(apt-cache depends postgresql | sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n1)"
        [[ -n "$v" ]] || die "cannot tell which PostgreSQL version apt would install"
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q "postgresql-$v" "postgresql-$v-postgis-3" >&2
    [[ -f "/usr/share/postgresql/$v/extension/postgis.control" ]] \
        || die "PostGIS for PostgreSQL $v still missing after apt-get install"
}

# Is something accepting TCP connections on 127.0.0.1:$1?
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# EXIT trap while start() runs: show the server log, stop the server, remove its dir.
startup_failed() {
    log "startup failed; removing $dir"
    if [[ -f "$dir/server.log" ]]; then tail -n 20 "$dir/server.log" >&2 || true; fi
    as_pg "$bin/pg_ctl" stop -D "$dir/data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$dir"
}

start() {
    ensure_installed
    local v base port  # dir and bin are global: startup_failed needs them
    v="$(server_version)"
    [[ -n "$v" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
    bin="/usr/lib/postgresql/$v/bin"

    # Temp dir; as root it must be reachable by `postgres`, else fall back to /tmp.
    base="${TMPDIR:-/tmp}"
    if [[ $EUID -eq 0 ]] && ! as_pg test -x "$base"; then base=/tmp; fi
    dir="$(mktemp -d "$base/gelsennet-pg-XXXXXX")"
    touch "$dir/.gelsennet-pg"                    # marker checked by `stop`
    [[ $EUID -eq 0 ]] && chown -R postgres: "$dir"
    trap startup_failed EXIT   # until the cluster is up and checked

    cd "$dir"   # `postgres` may not be allowed into the caller's cwd
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >/dev/null
    # initdb -A trust writes pg_hba.conf lines for local socket, 127.0.0.1/32 and ::1 only.
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

    # First free port from 55432 up; retry if another process grabs it first.
    port=55432
    while :; do
        while port_busy "$port"; do port=$((port + 1)); done
        (( port < 55632 )) || die "no free port in 55432-55631"
        if as_pg "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" \
                -o "-p $port" >/dev/null 2>&1; then break; fi
        grep -q "could not bind\|already in use" "$dir/server.log" || false
        log "port $port is taken, trying the next one"
        port=$((port + 1))
    done

    # Check that PostGIS really works in a fresh database.
    local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
    "${psql[@]}" -d postgres -c 'CREATE DATABASE gelsennet_postgis_check' >/dev/null
    "${psql[@]}" -d gelsennet_postgis_check -At \
        -c 'CREATE EXTENSION postgis' -c 'SELECT postgis_lib_version()' \
        | sed 's/^/postgis.sh: PostGIS /' >&2
    "${psql[@]}" -d postgres -c 'DROP DATABASE gelsennet_postgis_check' >/dev/null
    trap - EXIT

    log "PostgreSQL $v running on 127.0.0.1:$port, data in $dir"
    log "stop with: scripts/postgis.sh stop $dir"
    printf 'GELSENNET_TEST_DB_URL=%q\n' "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    printf 'GELSENNET_PG_DIR=%q\n' "$dir"
}

stop() {
    local dir="${1:?usage: postgis.sh stop DIR}" ctl
    [[ -f "$dir/.gelsennet-pg" ]] || die "$dir is not a cluster made by postgis.sh"
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        ctl="/usr/lib/postgresql/$(cat "$dir/data/PG_VERSION")/bin/pg_ctl"
        (cd "$dir" && as_pg "$ctl" stop -D "$dir/data" -m fast -w >/dev/null) \
            || log "warning: pg_ctl stop failed"
    fi
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "${1:-start}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) die "usage: postgis.sh [start | stop DIR]" ;;
esac
