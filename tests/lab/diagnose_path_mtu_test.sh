#!/usr/bin/env bash
# A path-MTU black hole: the r1-r2 link carries 1280-byte packets and the routers drop
# the ICMP "fragmentation needed" that would tell the server (lab up --path-mtu). TCP
# connects and our ClientHello passes; the server's full-size flight never arrives, for
# any name. sni_mss (our MSS clamped to 536) gets small segments through. The verdict
# must be path_mtu, citing the clamp, not a name block and not inconclusive.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile none --path-mtu 1280
check "lab status names the black hole" grep -q "MTU 1280" <("$SNIPROBE" lab status --instance "$LAB_INSTANCE")

out="$TEST_TMP/mtu.json"
diagnose_json "$out" ok.test --no-trace --timeout-ms 2000 || true
expect_verdict "black hole -> path_mtu" "$out" path_mtu
ok_of() { jq_of "$1" ".variants[] | select(.name==\"$2\") | .ok // 0"; }
trials_of() { jq_of "$1" ".variants[] | select(.name==\"$2\") | .trials // 0"; }
check_ge "sni_mss ran" 1 "$(trials_of "$out" sni_mss)"
check_eq "sni_mss: every clamped handshake completes" "$(trials_of "$out" sni_mss)" "$(ok_of "$out" sni_mss)"
check_eq "sni: no full-size handshake completes" 0 "$(ok_of "$out" sni)"
check "the verdict cites the clamp" jq -e '.verdict.evidence | any(.id=="E_MSS_CLAMP_WORKS")' "$out"
check "the advice names ICMP type 3 code 4" jq -e '.verdict.advice | any(test("type 3 code 4"))' "$out"
finish
