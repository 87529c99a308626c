#!/usr/bin/env bash
# Russia's TSPU ECH block in the lab (profile ech): the box drops hellos that name
# blocked.test *and* carry an encrypted_client_hello extension, over TCP and QUIC; the name
# without ECH and ECH with another name pass. diagnose must say ech_block (not a name
# block, not a server that breaks on large hellos, although the browser-shaped and large
# hellos carry GREASE ECH too and fail), citing both transports; ok.test blames nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile ech

diagnose_json "$TEST_TMP/ok.json" ok.test --no-trace || true
expect_verdict "ok.test with and without ECH -> ok" "$TEST_TMP/ok.json" ok
ok_of() { jq_of "$TEST_TMP/ok.json" ".variants[] | select(.name == \"$1\") | .ok"; }
for v in sni_ech control_ech quic_sni_ech quic_control_ech; do
  check_ge "ok.test: $v answered" 2 "$(ok_of "$v")"
done

diagnose_json "$TEST_TMP/blocked.json" blocked.test --no-trace || true
expect_verdict "blocked.test -> ech_block" "$TEST_TMP/blocked.json" ech_block
of() { jq_of "$TEST_TMP/blocked.json" ".variants[] | select(.name == \"$1\") | .$2"; }
check_eq "sni without ECH works" "$(of sni trials)" "$(of sni ok)"
check_eq "quic_sni without ECH works" "$(of quic_sni trials)" "$(of quic_sni ok)"
check_eq "sni_ech never answered" "0" "$(of sni_ech ok)"
check_eq "quic_sni_ech never answered" "0" "$(of quic_sni_ech ok)"
check_eq "control_ech always answered" "$(of control_ech trials)" "$(of control_ech ok)"
check_eq "quic_control_ech always answered" "$(of quic_control_ech trials)" "$(of quic_control_ech ok)"
check "the verdict says TCP and QUIC" \
  jq -e '.verdict.summary | test("over TCP and QUIC")' "$TEST_TMP/blocked.json"
check_eq "E_ECH_DROPPED once per transport" "2" \
  "$(jq_of "$TEST_TMP/blocked.json" '[.verdict.evidence[] | select(.id == "E_ECH_DROPPED")] | length')"
check "the verdict cites the control name with ECH" \
  jq -e '[.verdict.evidence[].id] | index("E_ECH_CONTROL_OK")' "$TEST_TMP/blocked.json"
check "the middlebox logged a TCP ECH trigger" \
  grep -q "trigger rule=ech-tcp action=drop .* sni=blocked.test ech" "$LAB_STATE_DIR/middlebox.log"
check "the middlebox logged a QUIC ECH trigger" \
  grep -q "trigger rule=ech-quic action=drop quic .* sni=blocked.test ech" "$LAB_STATE_DIR/middlebox.log"
finish
