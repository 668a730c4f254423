#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster on 127.0.0.1 for the service tests, installing
# PostgreSQL (Debian's package, 15 on this machine kind) when it is missing.
#
# Prints one line on standard output, the database URL; everything else goes to stderr:
#
#   POLICYENGINE_TEST_PG_URL="$(bash .ci/postgres.sh)"; export POLICYENGINE_TEST_PG_URL
#
# Safe to run again: a cluster already running on the port is reused.
# `bash .ci/postgres.sh stop` stops it; `bash .ci/postgres.sh running` succeeds when it runs. Settings (environment): PE_PG_PORT (54329),
# PE_PG_DIR (/tmp/policyengine-pg-$PE_PG_PORT).
set -euo pipefail

PORT="${PE_PG_PORT:-54329}"
DIR="${PE_PG_DIR:-/tmp/policyengine-pg-$PORT}"
USER_NAME=policyengine
PASSWORD=policyengine
DB=policyengine_test
URL="postgresql://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ] && [ -n "${1:-}" ]; then
    exit "$([ "$1" = stop ] && echo 0 || echo 1)"  # not installed: nothing runs, nothing to stop
fi
if [ -z "$BIN" ]; then
    log "installing PostgreSQL (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
fi

# The server refuses to run as root: run it as the `postgres` user the package creates.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [ "${1:-}" = "stop" ]; then
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
    exit 0
fi
if [ "${1:-}" = "running" ]; then
    as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
    exit
fi

if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        log "creating a cluster in $DIR/data"
        rm -rf "$DIR"
        mkdir -p "$DIR"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
        # Trust on loopback only: a test cluster that listens on 127.0.0.1 and nowhere else.
        as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi
    log "starting PostgreSQL on 127.0.0.1:$PORT"
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=on" start >&2 \
        || { cat "$DIR/server.log" >&2; exit 1; }
fi

psql_admin() { as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'")" != 1 ]; then
    psql_admin -d postgres -c "CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD' CREATEDB" >&2
fi
if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $USER_NAME" >&2
fi
log "ready: $URL"
echo "$URL"
