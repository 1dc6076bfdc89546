#!/usr/bin/env bash
# A private Virtuoso Open Source 7 instance on 127.0.0.1, for the remote-store tests, the benchmark and by hand.
#
#   scripts/virtuoso.sh install        apt-get install virtuoso-opensource if virtuoso-t is missing
#   scripts/virtuoso.sh start DIR      create DIR, write DIR/virtuoso.ini (free ports), start, wait, add the loader
#                                      user; prints VIRTUOSO_HTTP=..., VIRTUOSO_ISQL=..., VIRTUOSO_PID=...
#   scripts/virtuoso.sh stop DIR       stop the instance started in DIR (by its pid)
#
# The loader user (SPARQL_UPDATE role, for /sparql-auth and /sparql-graph-crud-auth) is BENELUX_STORE_USER /
# BENELUX_STORE_PASSWORD (default benelux / benelux). The packaged service is never used or touched: the instance
# keeps its database, log and pid in DIR. Traps handled here: [SPARQL] ResultSetMaxRows is raised (Virtuoso's
# default of 10,000 silently cuts longer answers) and DirsAllowed includes DIR (for bulk loads with ld_dir).
set -euo pipefail

INI=/etc/virtuoso-opensource-7/virtuoso.ini
USER_NAME=${BENELUX_STORE_USER:-benelux}
USER_PASSWORD=${BENELUX_STORE_PASSWORD:-benelux}
MAX_ROWS=${VIRTUOSO_MAX_ROWS:-10000000}
START_TIMEOUT=${VIRTUOSO_START_TIMEOUT:-60}

die() { echo "virtuoso.sh: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

isql() {  # isql PORT SQL...  (as dba; a fresh database's dba password is dba)
  local port=$1; shift
  isql-vt "127.0.0.1:$port" dba dba VERBOSE=OFF BANNER=OFF PROMPT=OFF ERRORS=STDOUT "exec=$*"
}

cmd_install() {
  command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 && return 0
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtuoso-opensource
}

cmd_start() {
  local dir=${1:?usage: virtuoso.sh start DIR}
  command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t is not installed: run 'scripts/virtuoso.sh install' \
(apt-get install -y virtuoso-opensource)"
  [ -f "$INI" ] || die "$INI is missing (is virtuoso-opensource installed?)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -f "$dir/virtuoso.pid" ] && kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null \
    && die "an instance is already running in $dir (pid $(cat "$dir/virtuoso.pid"))"
  local isql_port=${VIRTUOSO_ISQL_PORT:-$(free_port)} http_port=${VIRTUOSO_HTTP_PORT:-$(free_port)}
  [ "$isql_port" != "$http_port" ] || http_port=$(free_port)

  # Rewrite the packaged ini: every path into DIR, both ports on 127.0.0.1, raised SPARQL limits.
  awk -v dir="$dir" -v isql="127.0.0.1:$isql_port" -v http="127.0.0.1:$http_port" -v rows="$MAX_ROWS" '
    /^\[/ { section = $0 }
    function set(key, value) { if ($1 == key) { print key " = " value; return 1 } return 0 }
    section == "[Database]" && (set("DatabaseFile", dir "/virtuoso.db") || set("ErrorLogFile", dir "/virtuoso.log") \
      || set("LockFile", dir "/virtuoso.lck") || set("TransactionFile", dir "/virtuoso.trx") \
      || set("xa_persistent_file", dir "/virtuoso.pxa")) { next }
    section == "[TempDatabase]" && (set("DatabaseFile", dir "/virtuoso-temp.db") \
      || set("TransactionFile", dir "/virtuoso-temp.trx")) { next }
    section == "[Parameters]" && (set("ServerPort", isql) || set("DirsAllowed", ". , /usr/share/virtuoso-opensource-7/vad, " dir) \
      || set("MaxClientConnections", 40) || set("NumberOfBuffers", 170000) || set("MaxDirtyBuffers", 130000)) { next }
    section == "[HTTPServer]" && (set("ServerPort", http) || set("ServerThreads", 40) \
      || set("MaxClientConnections", 40) || set("MaxKeepAlives", 40)) { next }
    section == "[SPARQL]" && (set("ResultSetMaxRows", rows) || set("MaxQueryCostEstimationTime", 0) \
      || set("MaxQueryExecutionTime", 0)) { next }
    section == "[Parameters]" && $1 == "ThreadsPerQuery" { print; print "MaxSortedTopRows = " rows; next }
    { print }
  ' "$INI" > "$dir/virtuoso.ini"
  grep -q "^ResultSetMaxRows = $MAX_ROWS" "$dir/virtuoso.ini" || die "could not raise ResultSetMaxRows in $dir/virtuoso.ini"
  grep -q "^ServerPort = 127.0.0.1:$http_port" "$dir/virtuoso.ini" || die "could not set the HTTP port in $dir/virtuoso.ini"

  # In the background, its output in DIR/virtuoso.out; the pid is the server's own (no wrapper shell left).
  (cd "$dir" && exec virtuoso-t +foreground +configfile "$dir/virtuoso.ini" >"$dir/virtuoso.out" 2>&1) &
  local pid=$!
  echo "$pid" > "$dir/virtuoso.pid"

  local waited=0
  until curl -fsS -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$dir/virtuoso.out" "$dir/virtuoso.log" >&2 2>/dev/null || true
      die "virtuoso-t exited during start-up (see $dir/virtuoso.log)"
    fi
    if [ "$waited" -ge $((START_TIMEOUT * 4)) ]; then
      kill "$pid" 2>/dev/null || true
      die "no HTTP answer on 127.0.0.1:$http_port after ${START_TIMEOUT}s (see $dir/virtuoso.log)"
    fi
    sleep 0.25; waited=$((waited + 1))
  done

  # The loader: its own SQL user with the SPARQL_UPDATE role, allowed to read and write every graph.
  local out
  out=$(isql "$isql_port" "DB.DBA.USER_CREATE('$USER_NAME', '$USER_PASSWORD'); \
GRANT SPARQL_UPDATE TO \"$USER_NAME\"; \
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('$USER_NAME', 7);") || true
  if echo "$out" | grep -q "Error"; then
    kill "$pid" 2>/dev/null || true
    die "could not create the loader user: $out"
  fi
  echo "VIRTUOSO_HTTP=http://127.0.0.1:$http_port"
  echo "VIRTUOSO_ISQL=127.0.0.1:$isql_port"
  echo "VIRTUOSO_PID=$pid"
  echo "VIRTUOSO_DIR=$dir"
}

cmd_stop() {
  local dir=${1:?usage: virtuoso.sh stop DIR}
  [ -f "$dir/virtuoso.pid" ] || die "no virtuoso.pid in $dir"
  local pid; pid=$(cat "$dir/virtuoso.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$dir/virtuoso.pid"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
