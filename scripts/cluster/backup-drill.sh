#!/usr/bin/env bash
# npm run backup:drill — a backup is only as good as its last restore.
#
# Against the cluster of `npm run cluster:up` (every node archives its WAL into
# $CLUSTER_DIR/wal-archive): takes a base backup of the primary with pg_basebackup, writes a marker
# row, sets a named restore point, writes a second marker, and has the WAL archived. Then restores
# the base backup into a new PostgreSQL instance (127.0.0.1:15440) replaying the archived WAL up to
# the restore point (point-in-time recovery), and proves it: the first marker is there and the
# second is not, every service database passes `ledger:check` and `audit:verify`, and its audit
# head equals the primary's. Cleans up after itself. Bounded (every step has a timeout); loopback only.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
. "$HERE/env.sh"

RESTORE_PORT="${RESTORE_PORT:-15440}"
WORK="$CLUSTER_DIR/drill"
ARCHIVE="$CLUSTER_DIR/wal-archive"
PRIMARY=(-h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres)
RESTORED=(-h 127.0.0.1 -p "$RESTORE_PORT" -U postgres)
passed=0; failed=0
check() { # name, condition (0 = pass), detail
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1: $3" >&2; else failed=$((failed + 1)); echo "FAIL $1: $3" >&2; fi
}
q() { timeout 30 psql "$@" -qAtX -v ON_ERROR_STOP=1; }
cleanup() {
  if [ -f "$WORK/restore/postmaster.pid" ]; then as_pg timeout 60 "$PG_BIN/pg_ctl" -D "$WORK/restore" -m fast -w stop >/dev/null 2>&1; fi
  # The restored instance's log outlives the drill, for a failure's post-mortem.
  [ -f "$WORK/restore.log" ] && cp "$WORK/restore.log" "$CLUSTER_DIR/logs/backup-drill-restore.log"
  rm -rf "$WORK"
  q "${PRIMARY[@]}" -d postgres -c "DROP DATABASE IF EXISTS backup_drill" 2>/dev/null
}
started=$SECONDS

q "${PRIMARY[@]}" -d postgres -c 'select 1' >/dev/null || { log "no primary on 127.0.0.1:$HAPROXY_PORT: run npm run cluster:up first"; echo "0 passed, 1 failed"; exit 1; }
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK"

# The service's databases: those with an audit log. With none yet, migrate the cluster's own.
mapfile -t DBS < <(for db in $(q "${PRIMARY[@]}" -d postgres -c "select datname from pg_database where not datistemplate and datname <> 'postgres'"); do
  [ "$(q "${PRIMARY[@]}" -d "$db" -c "select to_regclass('audit_log') is not null")" = t ] && echo "$db"; done)
if [ ${#DBS[@]} -eq 0 ]; then
  (cd "$ROOT" && DATABASE_URL="$CLUSTER_URL" timeout 60 npx tsx scripts/migrate.ts >&2)
  DBS=("$CLUSTER_DB")
fi
log "service databases: ${DBS[*]}"

# 1. Base backup of the primary (through HAProxy), with the WAL it needs streamed alongside.
t0=$SECONDS
as_pg timeout 300 "$PG_BIN/pg_basebackup" "${PRIMARY[@]}" -D "$WORK/restore" -X stream -c fast --no-password >&2
rc=$?
check "pg_basebackup" "$rc" "$(du -sh "$WORK/restore" 2>/dev/null | cut -f1) in $((SECONDS - t0)) s"
[ "$rc" -eq 0 ] || { echo "$passed passed, $((failed)) failed"; exit 1; }

# 2. Written after the backup: only the archived WAL carries it.
q "${PRIMARY[@]}" -d postgres -c "DROP DATABASE IF EXISTS backup_drill" -c "CREATE DATABASE backup_drill"
q "${PRIMARY[@]}" -d backup_drill -c "CREATE TABLE marker (name text PRIMARY KEY)" -c "INSERT INTO marker VALUES ('before the restore point')"
declare -A HEADS
for db in "${DBS[@]}"; do
  HEADS[$db]="$(cd "$ROOT" && DATABASE_URL="postgres://postgres@127.0.0.1:$HAPROXY_PORT/$db" timeout 60 npx tsx scripts/audit-verify.ts 2>/dev/null | sed -n 's/^head \([0-9a-f]*\).*/\1/p')"
done
POINT="drill-$(date +%s)"
q "${PRIMARY[@]}" -d postgres -c "select pg_create_restore_point('$POINT')" >/dev/null
q "${PRIMARY[@]}" -d backup_drill -c "INSERT INTO marker VALUES ('after the restore point')"
SEGMENT="$(q "${PRIMARY[@]}" -d postgres -c "select pg_walfile_name(pg_switch_wal())")"
deadline=$((SECONDS + 60))
until [ -f "$ARCHIVE/$SEGMENT" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.5; done
check "WAL archived" "$([ -f "$ARCHIVE/$SEGMENT" ]; echo $?)" "$SEGMENT in $ARCHIVE ($(ls "$ARCHIVE" | wc -l) files)"

# 3. Restore: a new instance on the backup, replaying the archive up to the restore point.
rm -f "$WORK/restore/standby.signal" "$WORK/restore/postgresql.auto.conf" "$WORK/restore/postmaster.pid"
cat > "$WORK/restore/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $RESTORE_PORT
unix_socket_directories = '$WORK'
hba_file = '$WORK/restore/pg_hba.conf'
# Recovery needs at least the primary's value (recorded in the WAL); the cluster runs 200.
max_connections = 200
archive_mode = off
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_name = '$POINT'
recovery_target_action = 'promote'
CONF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$WORK/restore/pg_hba.conf"
touch "$WORK/restore/recovery.signal"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$WORK"
t0=$SECONDS
as_pg timeout 180 "$PG_BIN/pg_ctl" -D "$WORK/restore" -l "$WORK/restore.log" -w -t 150 start >&2
deadline=$((SECONDS + 120))
until [ "$(q "${RESTORED[@]}" -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.5; done
in_recovery="$(q "${RESTORED[@]}" -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null)"
check "restored to the restore point and promoted" "$([ "$in_recovery" = f ]; echo $?)" "$POINT, $((SECONDS - t0)) s; $(grep -m1 'recovery stopping' "$WORK/restore.log" | sed 's/.*LOG: *//')"

markers="$(q "${RESTORED[@]}" -d backup_drill -c "select string_agg(name, ', ' order by name) from marker" 2>&1)"
check "point in time: what came before is there, what came after is not" "$([ "$markers" = 'before the restore point' ]; echo $?)" "markers: $markers"

for db in "${DBS[@]}"; do
  url="postgres://postgres@127.0.0.1:$RESTORE_PORT/$db"
  out="$(cd "$ROOT" && DATABASE_URL="$url" timeout 120 npx tsx scripts/ledger-check.ts 2>&1)"; rc=$?
  check "ledger:check on the restored $db" "$rc" "$(echo "$out" | tail -1)"
  out="$(cd "$ROOT" && DATABASE_URL="$url" timeout 120 npx tsx scripts/audit-verify.ts 2>&1)"; rc=$?
  check "audit:verify on the restored $db" "$rc" "$(echo "$out" | head -1)"
  head="$(echo "$out" | sed -n 's/^head \([0-9a-f]*\).*/\1/p')"
  check "restored $db has the primary's audit head" "$([ -n "$head" ] && [ "$head" = "${HEADS[$db]}" ]; echo $?)" "restored ${head:0:16}…, primary ${HEADS[$db]:0:16}…"
done

echo "backup drill: $((SECONDS - started)) s" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
