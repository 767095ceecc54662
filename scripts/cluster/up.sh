#!/usr/bin/env bash
# Starts a three-node PostgreSQL 15 cluster on this machine: etcd (the consensus store), three
# Patroni-managed PostgreSQL nodes with synchronous replication (a commit waits for a standby), and
# HAProxy sending connections to whichever node Patroni reports as primary. Idempotent: whatever is
# already running is left alone. Prints the DATABASE_URL the service uses.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/env.sh"

install_missing() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v etcdctl >/dev/null || missing+=(etcd-client)
  command -v haproxy >/dev/null || command -v /usr/sbin/haproxy >/dev/null || missing+=(haproxy)
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  /usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing+=(python3-psycopg2)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"; exit 1
  fi
  log "installing ${missing[*]}"
  # Another apt-get may hold the lock: wait for it rather than fail.
  for attempt in $(seq 1 30); do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then return 0; fi
    [ "$attempt" -eq 1 ] && apt-get update || sleep 10
  done
  log "could not install ${missing[*]}"; exit 1
}

wait_for() { # description, seconds, command...
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then log "timed out waiting for $what"; return 1; fi
    sleep 0.5
  done
}

write_patroni_config() { # index
  local i="$1" name="node$1" pg_port="${PG_PORTS[$1]}" rest_port="${REST_PORTS[$1]}"
  cat > "$CLUSTER_DIR/$name/patroni.yml" <<YAML
scope: isc
namespace: /isc/
name: $name
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:$rest_port
  connect_address: 127.0.0.1:$rest_port
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT_PORT
bootstrap:
  dcs:
    ttl: $PATRONI_TTL
    loop_wait: $PATRONI_LOOP_WAIT
    retry_timeout: $PATRONI_RETRY_TIMEOUT
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        archive_mode: "on"
        archive_timeout: 60s
  initdb:
  - encoding: UTF8
  - locale: C.UTF-8
  - data-checksums
postgresql:
  listen: 127.0.0.1:$pg_port
  connect_address: 127.0.0.1:$pg_port
  data_dir: $CLUSTER_DIR/$name/data
  bin_dir: $PG_BIN
  pgpass: $CLUSTER_DIR/$name/pgpass
  authentication:
    replication:
      username: replicator
      password: replicator-loopback
    superuser:
      username: postgres
      password: postgres-loopback
    rewind:
      username: rewind_user
      password: rewind-loopback
  # Loopback only, no passwords: a test cluster. Production uses scram-sha-256 (docs/operations.md).
  pg_hba:
  - local all all trust
  - host replication replicator 127.0.0.1/32 trust
  - host replication postgres 127.0.0.1/32 trust
  - host all all 127.0.0.1/32 trust
  parameters:
    unix_socket_directories: $CLUSTER_DIR/$name
    # Every node archives into one folder (one machine); the backup drill restores from it. A
    # script, not a shell line: Patroni also runs the command itself, without a shell, to archive
    # what a crashed primary left before pg_rewind.
    archive_command: $CLUSTER_DIR/archive-wal %p %f
YAML
}

write_haproxy_config() {
  {
    cat <<CFG
global
    maxconn 2000
defaults
    mode tcp
    retries 2
    timeout connect 1s
    timeout client 30m
    timeout server 30m
    timeout check 1s
# The primary: the node whose Patroni answers 200 on /primary. A node marked down has its sessions
# cut at once, so clients see the failover instead of waiting on a dead connection.
listen primary
    bind 127.0.0.1:$HAPROXY_PORT
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
CFG
    for i in 0 1 2; do echo "    server node$i 127.0.0.1:${PG_PORTS[$i]} maxconn 500 check port ${REST_PORTS[$i]}"; done
  } > "$CLUSTER_DIR/haproxy.cfg"
}

any_primary() {
  for port in "${REST_PORTS[@]}"; do curl -fsS "http://127.0.0.1:$port/primary" && return 0; done
  return 1
}

install_missing
mkdir -p "$CLUSTER_DIR/wal-archive" "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/logs"
cat > "$CLUSTER_DIR/archive-wal" <<SH
#!/bin/sh
# archive-wal <path> <file name>: copies a finished WAL segment into the archive, never over one.
set -e
test ! -f "$CLUSTER_DIR/wal-archive/\$2"
cp "\$1" "$CLUSTER_DIR/wal-archive/\$2.tmp"
mv "$CLUSTER_DIR/wal-archive/\$2.tmp" "$CLUSTER_DIR/wal-archive/\$2"
SH
chmod 755 "$CLUSTER_DIR/archive-wal"
for i in 0 1 2; do mkdir -p "$CLUSTER_DIR/node$i"; done
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$CLUSTER_DIR"
chmod 700 "$CLUSTER_DIR"

# etcd: one member here; production runs three (docs/operations.md).
if alive "$CLUSTER_DIR/etcd.pid"; then
  log "etcd already running"
else
  log "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT"
  start_daemon "$CLUSTER_DIR/etcd.pid" "$CLUSTER_DIR/logs/etcd.log" etcd --name isc-etcd0 --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "isc-etcd0=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
    --enable-v2=false
fi
wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

for i in 0 1 2; do
  if alive "$CLUSTER_DIR/node$i/patroni.pid"; then log "patroni node$i already running"; continue; fi
  write_patroni_config "$i"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER_DIR/node$i/patroni.yml"
  log "starting patroni node$i (PostgreSQL 127.0.0.1:${PG_PORTS[$i]}, REST 127.0.0.1:${REST_PORTS[$i]})"
  start_daemon "$CLUSTER_DIR/node$i/patroni.pid" "$CLUSTER_DIR/logs/node$i.log" patroni "$CLUSTER_DIR/node$i/patroni.yml"
  # The first node bootstraps the cluster; the others clone it once it is up.
  [ "$i" -eq 0 ] && wait_for "a primary" 90 any_primary
done

if alive "$CLUSTER_DIR/haproxy.pid"; then
  log "haproxy already running"
else
  write_haproxy_config
  log "starting haproxy on 127.0.0.1:$HAPROXY_PORT"
  as_pg haproxy -f "$CLUSTER_DIR/haproxy.cfg" -D -p "$CLUSTER_DIR/haproxy.pid" >"$CLUSTER_DIR/logs/haproxy.log" 2>&1
fi

cluster_json() {
  for port in "${REST_PORTS[@]}"; do curl -fsS "http://127.0.0.1:$port/cluster" && return 0; done
  return 1
}
healthy_cluster() { # every node running, one sync standby streaming
  # A node that rejoins after pg_rewind is consistent only once it replays WAL written after the
  # rewind: on an idle primary, write one record (no table) so that it gets there.
  psql -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -qAtc "select pg_logical_emit_message(false, 'isc-cluster', 'rejoin')" >/dev/null 2>&1 || true
  cluster_json | python3 -c '
import json, sys
members = json.load(sys.stdin)["members"]
ok = len(members) == 3 and all(m["state"] in ("running", "streaming") for m in members)
ok = ok and any(m["role"] == "sync_standby" for m in members) and any(m["role"] in ("leader", "primary") for m in members)
sys.exit(0 if ok else 1)'
}
wait_for "three nodes with a synchronous standby" 180 healthy_cluster
wait_for "HAProxy to reach the primary" 30 psql -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -Atc 'select 1'

if [ "$(psql -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -Atc "select 1 from pg_database where datname = '$CLUSTER_DB'")" != 1 ]; then
  psql -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -qc "create database $CLUSTER_DB"
fi
cluster_json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["members"]: print("[cluster]", m["name"], m["role"], m["state"], "port", m["port"], file=sys.stderr)'
echo "DATABASE_URL=$CLUSTER_URL"
