#!/usr/bin/env bash
# scan --quic against the GFW's residual QUIC block (profile quic): the box lets the
# Initial naming blocked.test through and 300 ms later drops the client's datagrams to
# the server's UDP 443 for 20 s, whatever the name. scan runs no follow-ups, so it cannot
# see the block itself (diagnose --quic does); what it must not do is blame the names
# probed while the block lingers. blocked.test goes first, and --per-address 15 makes
# batches of 2 names (9 controls + 2 x 3), so the batches after the first 300 ms run
# inside the block: their QUIC controls fall silent with their names, and every name,
# blocked.test included, comes out ok (TCP works, QUIC to the server is unreachable).
source "$(dirname "$0")/lib.sh"
skip_unless_root
[[ -x /usr/sbin/gtlsserver ]] || { echo "SKIP: ngtcp2-server (gtlsserver) not installed"; exit 77; }
quiet lab_up --profile quic

SERVER=10.77.3.2
NAMES="$TEST_TMP/names.txt"
{
  echo "blocked.test"
  for i in $(seq 1 40); do echo "name$i.example.test"; done
} >"$NAMES"

OUT="$TEST_TMP/scan.jsonl"
set +e
lab_exec client "$SNIPROBE" scan --quic --ip "$SERVER" --names "$NAMES" --output "$OUT" \
  --timeout-ms 1000 --concurrency 64 --per-address 15 -q 2>"$TEST_TMP/scan.err"
rc=$?
set -e
cat "$TEST_TMP/scan.err"
check_eq "exit status 0 (nothing blamed)" 0 "$rc"
check_eq "one line per name" 41 "$(wc -l <"$OUT")"
python3 - "$OUT" >"$TEST_TMP/summary.txt" <<'PY'
import json, sys
silent_batches_names = 0
causes = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    causes[r["verdict"]["cause"]] = causes.get(r["verdict"]["cause"], 0) + 1
    v = r["variants"]
    if v["quic_sni"]["ok"] == 0 and v["quic_control"]["ok"] == 0:
        silent_batches_names += 1
print("causes", " ".join(f"{k}={n}" for k, n in sorted(causes.items())))
print("silent", silent_batches_names)
PY
cat "$TEST_TMP/summary.txt"
check_eq "every name ok" "causes ok=41" "$(grep '^causes' "$TEST_TMP/summary.txt")"
silent=$(awk '/^silent/ { print $2 }' "$TEST_TMP/summary.txt")
check "names probed while the block lingered saw their controls silent too" test "$silent" -ge 6
check "the middlebox logged the QUIC trigger" \
  grep -q "trigger rule=gfw-quic action=pass quic" "$LAB_STATE_DIR/middlebox.log"

# --- Ctrl-C during QUIC batches: the block still lingers, so every batch waits out its
# timeouts; SIGINT must end the scan at once (exit 130), with complete lines only and no
# line for a batch cut short. Started directly so the SIGINT reaches sniprobe.
OUT2="$TEST_TMP/interrupted.jsonl"
"$SNIPROBE" lab exec --instance "$LAB_INSTANCE" client -- "$SNIPROBE" scan --quic --ip "$SERVER" \
  --names "$NAMES" --output "$OUT2" --timeout-ms 3000 --per-address 15 -q 2>"$TEST_TMP/int.err" &
scan_pid=$!
track_pid "$scan_pid"
check "the interrupted run wrote some lines first" wait_for 30 bash -c "[[ -f '$OUT2' ]] && (( \$(wc -l <'$OUT2') >= 2 ))"
kill -INT "$scan_pid"
start=$(date +%s%N)
set +e
wait "$scan_pid"
rc=$?
set -e
waited_ms=$((($(date +%s%N) - start) / 1000000))
cat "$TEST_TMP/int.err"
check_eq "interrupted run exits 130" 130 "$rc"
check "Ctrl-C ended it within 1 s, not after the batch's 3 s timeouts ($waited_ms ms)" test "$waited_ms" -lt 1000
check "every line complete JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$OUT2"
check "not every name written" test "$(wc -l <"$OUT2")" -lt 41
finish
