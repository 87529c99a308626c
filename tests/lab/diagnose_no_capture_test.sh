#!/usr/bin/env bash
# diagnose without capture privileges, as a user without sudo runs it: in the seed lab,
# the client namespace drops root (uid/gid 65534, no capabilities) and runs a copy of the
# binary and the CA that nobody can read. stderr must carry exactly one line, the one
# about capture privileges; the verdict must still be sni_reset, from socket errors,
# with lower confidence than the captured run and a note saying why; trace must be
# skipped with a note (it needs a raw socket); --residual still times from a plain reset.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile seed

source_dir="${SNIPROBE_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
message=$(sed -n 's/.*"\(packet capture needs[^"]*\)".*/\1/p' "$source_dir/src/capture/capture_session.hpp")
check "the capture message is read from capture_session.hpp" test -n "$message"

# The captured run: the reference confidence.
diagnose_json "$TEST_TMP/captured.json" blocked.test --no-trace || true
expect_verdict "captured run -> sni_reset" "$TEST_TMP/captured.json" sni_reset

# The unprivileged run: binary and CA in a directory nobody can read.
chmod 0755 "$TEST_TMP"
mkdir -m 0755 "$TEST_TMP/nobody"
install -m 0755 "$SNIPROBE" "$TEST_TMP/nobody/sniprobe"
install -m 0644 "$LAB_CA" "$TEST_TMP/nobody/ca.pem"
out="$TEST_TMP/nocap.json"
rc=0
lab_exec client setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$TEST_TMP/nobody/sniprobe" diagnose blocked.test --json --ca-file "$TEST_TMP/nobody/ca.pem" --residual \
  >"$out" 2>"$out.stderr" || rc=$?
check_eq "exit status says a problem was found" 1 "$rc"
check_eq "stderr is one line" 1 "$(wc -l <"$out.stderr")"
check_eq "that line is the capture-privilege message" "sniprobe: $message" "$(head -1 "$out.stderr")"
expect_verdict "without capture -> still sni_reset" "$out" sni_reset
check_eq "no trial captured" 0 "$(jq_of "$out" '[.trials[] | select(.captured)] | length')"
captured_conf=$(jq_of "$TEST_TMP/captured.json" '.verdict.confidence * 1000 | floor')
nocap_conf=$(jq_of "$out" '.verdict.confidence * 1000 | floor')
check "lower confidence without capture ($nocap_conf < $captured_conf per mille)" test "$nocap_conf" -lt "$captured_conf"
check_ge "a note says the verdict rests on socket evidence" 1 \
  "$(jq_of "$out" '[.notes[] | select(test("capture unavailable.*socket evidence"))] | length')"
check_ge "E_NO_CAPTURE cited" 1 "$(jq_of "$out" '[.verdict.evidence[] | select(.id=="E_NO_CAPTURE")] | length')"
check_eq "no trace ran" null "$(jq_of "$out" '.trace')"
check_ge "a note says trace was skipped for want of a raw socket" 1 \
  "$(jq_of "$out" '[.notes[] | select(test("trace skipped.*CAP_NET_RAW"))] | length')"
# The seed box keeps no residual block: a plain reset is the trigger, the control passes.
check_eq "residual timed from a plain reset" not_blocked "$(jq_of "$out" '.residual.status')"
check_eq "residual trigger is a reset naming the target" "blocked.test connection_reset" \
  "$(jq_of "$out" '.residual.trigger_trial_id as $id | .trials[] | select(.id==$id) | "\(.server_name|ascii_downcase) \(.failure)"')"
finish
