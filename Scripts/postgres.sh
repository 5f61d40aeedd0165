#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, from the distribution's packages, for the tests and for
# trying Moderato on PostgreSQL. It installs the packages when they are missing.
#
#   Scripts/postgres.sh start DIR [PORT]   creates a cluster in DIR (if new), starts it on 127.0.0.1:PORT
#                                          (default 55432) and prints the database URL
#   Scripts/postgres.sh stop DIR           stops it (the data stays in DIR)
#
# The cluster trusts local connections only (127.0.0.1 and its own socket folder), runs as the
# `postgres` system user when started by root, and has synchronous_commit and fsync on.
set -euo pipefail

command=${1:-}
dir=${2:-}
port=${3:-55432}
[[ -n $command && -n $dir ]] || { echo "usage: Scripts/postgres.sh start|stop DIR [PORT]" >&2; exit 64; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $bin || ! -x $bin/initdb ]]; then
  echo "postgres: installing PostgreSQL from the distribution's packages" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# PostgreSQL refuses to run as root: run it as the postgres user, owning its folder.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then as_owner=(runuser -u postgres --); fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi

case $command in
  start)
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U moderato --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c synchronous_commit=on -c max_connections=200" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    "$bin/psql" -h 127.0.0.1 -p "$port" -U moderato -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'moderato'" \
      | grep -q 1 || "$bin/createdb" -h 127.0.0.1 -p "$port" -U moderato moderato
    echo "postgres://moderato@127.0.0.1:$port/moderato?sslmode=disable"
    ;;
  stop)
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: Scripts/postgres.sh start|stop DIR [PORT]" >&2
    exit 64
    ;;
esac
