#!/usr/bin/env bash
# Stops the local cluster that up.sh started (only the processes it recorded) and removes its folder.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/env.sh"

[ -d "$CLUSTER_DIR" ] || { log "nothing to stop ($CLUSTER_DIR does not exist)"; exit 0; }

stop_pid() { # pid file, seconds before SIGKILL
  local file="$1" seconds="$2"
  alive "$file" || return 0
  local pid; pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 $((seconds * 4))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null
}

stop_pid "$CLUSTER_DIR/haproxy.pid" 5
# Patroni stops its PostgreSQL on SIGTERM.
for i in 0 1 2; do stop_pid "$CLUSTER_DIR/node$i/patroni.pid" 30 & done
wait
# A postmaster left behind (its Patroni was killed): stop it by the pid in its own pid file.
for i in 0 1 2; do
  pidfile="$CLUSTER_DIR/node$i/data/postmaster.pid"
  if [ -f "$pidfile" ]; then
    head -1 "$pidfile" > "$CLUSTER_DIR/node$i/postmaster.pid.first"
    stop_pid "$CLUSTER_DIR/node$i/postmaster.pid.first" 10
  fi
done
stop_pid "$CLUSTER_DIR/etcd.pid" 10
for f in "$CLUSTER_DIR"/etcd.pid "$CLUSTER_DIR"/haproxy.pid "$CLUSTER_DIR"/node*/patroni.pid "$CLUSTER_DIR"/node*/postmaster.pid.first; do
  if alive "$f"; then log "pid $(cat "$f") ($f) is still running: $CLUSTER_DIR kept"; exit 1; fi
done
rm -rf "$CLUSTER_DIR"
log "stopped and removed $CLUSTER_DIR"
