#!/usr/bin/env bash
# scan in the lab: 1,000 names to the lab's nginx (its default server answers any name)
# through a middlebox that resets every name under blocked-a.test / blocked-b.test and
# black-holes every name under drop.test. Checks what a user of `scan` relies on: every
# blocked name reported sni_reset (sni_drop for the drop rule), no innocent name flagged
# (including look-alikes such as notblocked-a.test), one line per name; --resume after
# a SIGINT mid-way finishes the rest without duplicates; a malformed targets line is
# reported with its line number and skipped.
source "$(dirname "$0")/lib.sh"
skip_unless_root

SERVER=10.77.3.2
RULES="$TEST_TMP/rules.toml"
cat >"$RULES" <<'TOML'
[[rule]]
name = "blocked-suffixes-a"
action = "rst_both"
probability = 1.0
mode = "on_path"

[rule.match]
sni_suffix = "blocked-a.test"

[[rule]]
name = "blocked-suffixes-b"
action = "rst_both"
probability = 1.0
mode = "on_path"

[rule.match]
sni_suffix = "blocked-b.test"

[[rule]]
name = "blackhole"
action = "drop"
probability = 1.0
mode = "in_path"

[rule.match]
sni_suffix = "drop.test"
TOML

# 1,000 names: 60 + 40 blocked, 5 dropped, the rest innocent (some look alike).
NAMES="$TEST_TMP/names.txt"
EXPECTED="$TEST_TMP/expected.txt"
{
  echo "# scan_test names"
  for i in $(seq 1 60); do echo "site$i.blocked-a.test"; done
  for i in $(seq 1 40); do echo "www.site$i.blocked-b.test"; done
  for i in $(seq 1 5); do echo "site$i.drop.test"; done
  for i in $(seq 1 10); do echo "site$i.notblocked-a.test"; done
  for i in $(seq 1 885); do echo "name$i.example.test"; done
} >"$NAMES"
awk '!/^#/ { c = "ok" } /blocked-[ab]\.test$/ && !/notblocked/ { c = "sni_reset" } /\.drop\.test$/ { c = "sni_drop" } !/^#/ { print $0, c }' \
  "$NAMES" | sort >"$EXPECTED"
check_eq "names generated" 1000 "$(wc -l <"$EXPECTED")"

quiet lab_up --rules "$RULES"

# --- 1. the 1,000-name scan ------------------------------------------------------------
OUT="$TEST_TMP/scan.jsonl"
start=$SECONDS
set +e
lab_exec client "$SNIPROBE" scan --ip "$SERVER" --names "$NAMES" --output "$OUT" \
  --timeout-ms 2000 --concurrency 300 2>"$TEST_TMP/scan.err"
rc=$?
set -e
cat "$TEST_TMP/scan.err"
echo "scan of 1000 names took $((SECONDS - start)) s"
check_eq "exit status 1 (problems found)" 1 "$rc"
python3 - "$OUT" >"$TEST_TMP/got.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["host"], r["verdict"]["cause"])
PY
sort -o "$TEST_TMP/got.txt" "$TEST_TMP/got.txt"
check_eq "one line per name" 1000 "$(wc -l <"$OUT")"
check_eq "no duplicate host" 1000 "$(cut -d' ' -f1 "$TEST_TMP/got.txt" | sort -u | wc -l)"
mismatches=$(diff "$EXPECTED" "$TEST_TMP/got.txt" | grep -c '^[<>]' || true)
if ((mismatches > 0)); then diff "$EXPECTED" "$TEST_TMP/got.txt" | head -20; fi
check_eq "every name has the expected cause (blocked sni_reset, dropped sni_drop, others ok)" 0 "$mismatches"
check_eq "blocked names reported sni_reset" 100 "$(grep -c ' sni_reset$' "$TEST_TMP/got.txt" || true)"
check_eq "dropped names reported sni_drop" 5 "$(grep -c ' sni_drop$' "$TEST_TMP/got.txt" || true)"
check_eq "innocent names ok (none flagged)" 895 "$(grep -c ' ok$' "$TEST_TMP/got.txt" || true)"
check "summary counts per cause on stderr" grep -q "ok 895, sni_drop 5, sni_reset 100" "$TEST_TMP/scan.err"
reset_line=$(grep -m1 '"host":"site1.blocked-a.test"' "$OUT")
check "a blocked line carries the OONI failure and counts" \
  grep -q '"failure":"connection_reset".*"sni":{"trials":3,"ok":0,"failures":{"connection_reset":3}}' <<<"$reset_line"

# --- 2. --resume after SIGINT, with a malformed targets line ---------------------------
TARGETS="$TEST_TMP/targets.txt"
{
  echo "# host,ip,port"
  echo "t1.example.test,$SERVER,443"
  echo "bad.example.test,$SERVER,99999"
  for i in $(seq 2 200); do echo "t$i.example.test,$SERVER,443"; done
  for i in $(seq 201 300); do echo "t$i.blocked-a.test,$SERVER"; done
  for i in $(seq 301 600); do echo "t$i.example.test"; done
} >"$TARGETS"
BAD_LINE=3
OUT2="$TEST_TMP/resume.jsonl"
# Paced (300 new connections/s, ~100 targets/s) so the interrupt lands mid-way. Started
# directly (not through the lab_exec function, which would put a subshell in between) so
# the SIGINT reaches sniprobe: `lab exec` execs `ip netns exec`, which execs the scan.
"$SNIPROBE" lab exec --instance "$LAB_INSTANCE" client -- "$SNIPROBE" scan --targets "$TARGETS" --ip "$SERVER" --output "$OUT2" --rate 300 \
  2>"$TEST_TMP/first.err" &
scan_pid=$!
track_pid "$scan_pid"
check "first run wrote 100 records" wait_for 30 bash -c "[[ -f '$OUT2' ]] && (( \$(wc -l <'$OUT2') >= 100 ))"
kill -INT "$scan_pid"
set +e
wait "$scan_pid"
rc=$?
set -e
cat "$TEST_TMP/first.err"
check_eq "interrupted run exits 130" 130 "$rc"
first_count=$(wc -l <"$OUT2")
echo "interrupted after $first_count of 600 targets"
check "interrupted mid-way (some, not all, targets written)" test "$first_count" -lt 600
check "malformed line reported with its line number" grep -q "targets.txt:${BAD_LINE}: .*99999.*(line skipped)" "$TEST_TMP/first.err"

set +e
lab_exec client "$SNIPROBE" scan --targets "$TARGETS" --ip "$SERVER" --output "$OUT2" --resume \
  2>"$TEST_TMP/second.err"
rc=$?
set -e
cat "$TEST_TMP/second.err"
check_eq "resumed run exits 1 (blocked names present)" 1 "$rc"
check "resume says how many were already done" grep -q "${first_count} already done (--resume)" "$TEST_TMP/second.err"
check "malformed line reported again on resume" grep -q "targets.txt:${BAD_LINE}:" "$TEST_TMP/second.err"
python3 - "$OUT2" >"$TEST_TMP/resume.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["host"], r["verdict"]["cause"])
PY
check_eq "every target exactly once after resume" 600 "$(wc -l <"$TEST_TMP/resume.txt")"
check_eq "no duplicates after resume" 600 "$(cut -d' ' -f1 "$TEST_TMP/resume.txt" | sort -u | wc -l)"
check_eq "malformed target absent" 0 "$(grep -c '^bad\.' "$TEST_TMP/resume.txt" || true)"
check_eq "blocked targets sni_reset after resume" 100 "$(grep -c 'blocked-a.test sni_reset$' "$TEST_TMP/resume.txt" || true)"
check_eq "other targets ok after resume" 500 "$(grep -c 'example.test ok$' "$TEST_TMP/resume.txt" || true)"

finish
