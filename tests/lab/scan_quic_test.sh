#!/usr/bin/env bash
# scan --quic in the lab, against nginx (TCP) and gtlsserver (UDP 443) on the server,
# through a middlebox that drops the QUIC Initials naming anything under qblocked.test
# (a direct SNI drop over QUIC, as Russia's TSPU does) and resets TCP hellos naming
# anything under blocked-a.test. Every QUIC-dropped name must come out quic_sni_block
# with its quic_sni row all silent and the QUIC controls answered, every reset name
# sni_reset (a TCP verdict wins over a QUIC one), every other name ok with its QUIC rows
# answered: all in the same one line per name.
source "$(dirname "$0")/lib.sh"
skip_unless_root
[[ -x /usr/sbin/gtlsserver ]] || { echo "SKIP: ngtcp2-server (gtlsserver) not installed"; exit 77; }

SERVER=10.77.3.2
RULES="$TEST_TMP/rules.toml"
cat >"$RULES" <<'TOML'
[[rule]]
name = "quic-drop"
transport = "quic"
action = "drop"

[rule.match]
sni_suffix = "qblocked.test"

[[rule]]
name = "tcp-reset"
action = "rst_both"
probability = 1.0
mode = "on_path"

[rule.match]
sni_suffix = "blocked-a.test"
TOML

NAMES="$TEST_TMP/names.txt"
{
  for i in $(seq 1 8); do echo "site$i.qblocked.test"; done
  for i in $(seq 1 4); do echo "site$i.blocked-a.test"; done
  for i in $(seq 1 28); do echo "name$i.example.test"; done
} >"$NAMES"
awk '{ c = "ok" } /\.qblocked\.test$/ { c = "quic_sni_block" } /\.blocked-a\.test$/ { c = "sni_reset" } { print $0, c }' \
  "$NAMES" | sort >"$TEST_TMP/expected.txt"

quiet lab_up --rules "$RULES"

OUT="$TEST_TMP/scan.jsonl"
set +e
lab_exec client "$SNIPROBE" scan --quic --ip "$SERVER" --names "$NAMES" --output "$OUT" \
  --timeout-ms 1500 --concurrency 64 -q 2>"$TEST_TMP/scan.err"
rc=$?
set -e
cat "$TEST_TMP/scan.err"
check_eq "exit status 1 (problems found)" 1 "$rc"
python3 - "$OUT" >"$TEST_TMP/got.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["host"], r["verdict"]["cause"])
PY
sort -o "$TEST_TMP/got.txt" "$TEST_TMP/got.txt"
check_eq "one line per name" 40 "$(wc -l <"$OUT")"
mismatches=$(diff "$TEST_TMP/expected.txt" "$TEST_TMP/got.txt" | grep -c '^[<>]' || true)
if ((mismatches > 0)); then
  diff "$TEST_TMP/expected.txt" "$TEST_TMP/got.txt" | head -20
  diff "$TEST_TMP/expected.txt" "$TEST_TMP/got.txt" | awk '/^>/ { print "\"host\":\"" $2 "\"" }' |
    grep -F -f - "$OUT" | head -4
fi
check_eq "every name has the expected cause" 0 "$mismatches"
check_eq "QUIC-dropped names quic_sni_block" 8 "$(grep -c ' quic_sni_block$' "$TEST_TMP/got.txt" || true)"
check_eq "innocent names ok" 28 "$(grep -c ' ok$' "$TEST_TMP/got.txt" || true)"

q_line=$(grep -m1 '"host":"site1.qblocked.test"' "$OUT")
check "a QUIC-dropped line: TCP fine, quic_sni silent, QUIC controls answered" \
  python3 - "$q_line" <<'PY'
import json, sys
v = json.loads(sys.argv[1])["variants"]
assert v["sni"]["ok"] == v["sni"]["trials"] == 3, v
assert v["quic_sni"] == {"trials": 3, "ok": 0, "failures": {"generic_timeout_error": 3}}, v
assert v["quic_control"]["ok"] == v["quic_control"]["trials"] == 3, v
assert v["quic_no_sni"]["ok"] == 3 and v["quic_version_ping"]["ok"] == 3, v
PY
ok_line=$(grep -m1 '"host":"name1.example.test"' "$OUT")
check "an innocent line: every QUIC row answered" \
  python3 - "$ok_line" <<'PY'
import json, sys
v = json.loads(sys.argv[1])["variants"]
assert v["quic_sni"]["ok"] == v["quic_sni"]["trials"] == 3, v
PY
check "summary counts per cause on stderr" grep -q "ok 28, quic_sni_block 8, sni_reset 4" "$TEST_TMP/scan.err"
finish
