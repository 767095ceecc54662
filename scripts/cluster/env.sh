# Shared settings of the local PostgreSQL cluster scripts (sourced, not run). Everything listens on
# loopback, on ports clear of a PostgreSQL already on 5432; override any of these in the environment.
CLUSTER_DIR="${CLUSTER_DIR:-/tmp/isc-pg-cluster}"
CLUSTER_DB="${CLUSTER_DB:-cards}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORTS=(15432 15433 15434)
REST_PORTS=(18008 18009 18010)
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-12379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-12380}"
HAPROXY_PORT="${HAPROXY_PORT:-15000}"
# Failover speed. Patroni's documentation gives ttl 20 as its floor; 12 (with loop_wait 2 and
# retry_timeout 5, keeping loop_wait + 2 × retry_timeout <= ttl) is what Patroni 3.0 accepts and
# what lets a lost primary be replaced within 20 s on one machine (docs/operations.md).
PATRONI_TTL="${PATRONI_TTL:-12}"
PATRONI_LOOP_WAIT="${PATRONI_LOOP_WAIT:-2}"
PATRONI_RETRY_TIMEOUT="${PATRONI_RETRY_TIMEOUT:-5}"
CLUSTER_URL="postgres://postgres@127.0.0.1:${HAPROXY_PORT}/${CLUSTER_DB}"

# PostgreSQL refuses to run as root: as root, the cluster runs as the postgres OS user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups env HOME="$CLUSTER_DIR" "$@"; else "$@"; fi
}

# Starts a daemon in its own session, output to $2, and writes its pid to $1. Every step execs in
# place (subshell, setsid, setpriv, env), so the pid written is the daemon itself: down.sh and the
# failover test signal exactly that process.
start_daemon() { # pid file, log file, command...
  local pidfile="$1" logfile="$2"; shift 2
  if [ "$(id -u)" -eq 0 ]; then
    (exec setsid setpriv --reuid=postgres --regid=postgres --init-groups env HOME="$CLUSTER_DIR" "$@" >>"$logfile" 2>&1 </dev/null) &
  else
    (exec setsid "$@" >>"$logfile" 2>&1 </dev/null) &
  fi
  echo $! > "$pidfile"
}

# True when the pid in file $1 names a live process.
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

log() { echo "[cluster] $*" >&2; }
