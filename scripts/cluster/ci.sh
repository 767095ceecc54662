#!/usr/bin/env bash
# CI runner for the replicated PostgreSQL cluster: installs what is missing (Debian packages, as
# root), builds the cluster, runs the failover test, the three-instance suite (vitest.cluster.config.ts)
# and the backup drill, tears the cluster down, and ends with one line "N passed, N failed" (the sum
# of the checks each step reports).
# Bounded: every step has a timeout; all of it runs on 127.0.0.1.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/cluster/env.sh
passed=0; failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); }
step_log() { echo "[ci] $*" >&2; }

# A cluster left by an earlier, interrupted run is removed first: the run starts from nothing.
timeout 120 bash scripts/cluster/down.sh >&2

if timeout 600 bash scripts/cluster/up.sh >&2; then add 1 0; step_log "cluster:up passed"; else add 0 1; step_log "cluster:up FAILED"; fi

if [ "$failed" -eq 0 ]; then
  out="$(timeout 330 npx tsx scripts/cluster/ha-test.ts)"; rc=$?
  summary="$(echo "$out" | tail -1)"
  step_log "ha:test: $summary"
  p="$(echo "$summary" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=JSON.parse(s);console.log(`${j.passed??0} ${j.failed??1}`)}catch{console.log("0 1")}})')"
  add ${p% *} ${p#* }
  [ "$rc" -ne 0 ] && [ "${p#* }" -eq 0 ] && add 0 1

  # Three instances on the cluster: every test counts; a skipped or missing one is a failure.
  json="$(mktemp /tmp/isc-cluster-vitest.XXXXXX.json)"
  CLUSTER_DATABASE_URL="$CLUSTER_URL" timeout 300 npx vitest run --config vitest.cluster.config.ts \
    --reporter=default --reporter=json --outputFile.json="$json" >&2; rc=$?
  p="$(node -e '
    try {
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const failed = r.numFailedTests + (r.numFailedTestSuites || 0) + (r.numPendingTests || 0) + (r.numTodoTests || 0);
      console.log(`${r.numPassedTests} ${failed || (r.numPassedTests ? 0 : 1)}`);
    } catch { console.log("0 1"); }' "$json")"
  rm -f "$json"
  step_log "cluster suite (three instances): ${p% *} passed, ${p#* } failed"
  add ${p% *} ${p#* }
  [ "$rc" -ne 0 ] && [ "${p#* }" -eq 0 ] && add 0 1

  out="$(timeout 400 bash scripts/cluster/backup-drill.sh)"; rc=$?
  line="$(echo "$out" | tail -1)"
  step_log "backup:drill: $line"
  if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then add "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"; else add 0 1; fi
  [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]:-0}" -eq 0 ] && add 0 1
fi

if timeout 120 bash scripts/cluster/down.sh >&2 && [ ! -d "${CLUSTER_DIR:-/tmp/isc-pg-cluster}" ]; then add 1 0; else add 0 1; step_log "cluster:down FAILED"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
