# shellcheck shell=bash
# Helpers for the sink scenario tests (tests/lab/sink_*_test.sh): start `sniprobe sink`
# in the lab's server namespace beside nginx (a background process the EXIT trap of
# lib.sh kills), wait until it answers, run diagnose --sink from the client, stop the
# sink with SIGTERM. Source after lib.sh.

SINK_ADDR=10.77.3.2
SINK_PORT=9443
SINK_URL="http://${SINK_ADDR}:${SINK_PORT}"
SINK_PID=""

# sink_start [extra sink args...]: a fresh token, the sink in the server namespace.
sink_start() {
  SINK_TOKEN_FILE="$TEST_TMP/sink.token"
  openssl rand -hex 32 >"$SINK_TOKEN_FILE"
  SINK_LOG="$TEST_TMP/sink.log"
  "$SNIPROBE" lab exec --instance "$LAB_INSTANCE" server -- \
    "$SNIPROBE" sink --listen "${SINK_ADDR}:${SINK_PORT}" --token-file "$SINK_TOKEN_FILE" "$@" \
    >"$SINK_LOG" 2>&1 &
  SINK_PID=$!
  track_pid "$SINK_PID"
  if ! wait_for 15 sink_healthy; then
    echo "the sink did not come up:"
    cat "$SINK_LOG"
    return 1
  fi
}

# True when the sink answers its health check from the client namespace.
sink_healthy() {
  lab_exec client curl -sf --max-time 1 "${SINK_URL}/v1/health" >/dev/null 2>&1
}

# sink_query TOKEN_FILE QUERY OUT: GET /v1/connections?QUERY from the client; prints the HTTP status.
sink_query() {
  lab_exec client curl -s --max-time 5 -o "$3" -w '%{http_code}' \
    -H "Authorization: Bearer $(cat "$1")" "${SINK_URL}/v1/connections?$2" || true
}

# The sink's resident set size in kB.
sink_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SINK_PID/status"; }

# sink_stop: SIGTERM, bounded wait; leaves the exit status in SINK_RC (no subshell:
# only this shell can wait for its child).
sink_stop() {
  kill -TERM "$SINK_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while pid_alive "$SINK_PID" && ((SECONDS < deadline)); do sleep 0.05; done
  pid_alive "$SINK_PID" && kill -KILL "$SINK_PID"  # hung: the check below fails (137)
  SINK_RC=0
  wait "$SINK_PID" || SINK_RC=$?
}

# jq_true FILE FILTER: exit 0 when the filter yields true.
jq_true() { jq -e "$2" "$1" >/dev/null; }

# sink_diagnose OUT TARGET [args...]: diagnose --json --sink from the client namespace.
sink_diagnose() {
  local out="$1" target="$2"
  shift 2
  local rc=0
  lab_exec client "$SNIPROBE" diagnose "$target" --json --ca-file "$LAB_CA" --no-trace \
    --variants sni,no_sni,control_sni --trials 10 --sink "$SINK_URL" --token-file "$SINK_TOKEN_FILE" "$@" \
    >"$out" 2>"$out.stderr" || rc=$?
  return "$rc"
}

# count_findings FILE FINDING: matched trials of the sni variant with that sink finding.
count_findings() {
  jq -r --arg f "$2" '[.trials[] | select(.variant=="sni") | .id] as $sni
    | [.sink.trials[] | select(.finding==$f and (.trial_id as $id | $sni | index($id)))] | length' "$1"
}

# has_evidence FILE ID: exit 0 when the verdict cites that evidence id.
has_evidence() { jq -e --arg id "$2" '[.verdict.evidence[].id] | index($id)' "$1" >/dev/null; }

# Shows what the sink saw and what diagnose concluded, when a check failed.
sink_explain() {
  jq -c '{verdict: .verdict | {cause, evidence: [.evidence[].id]}, sink: (.sink | {failure, records, trials_matched, trials_unmatched}), notes}' "$1" || cat "$1"
  jq -c '.sink.trials[:5][]' "$1" 2>/dev/null || true
  tail -5 "$SINK_LOG" || true
}
