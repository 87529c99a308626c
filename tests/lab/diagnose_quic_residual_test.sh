#!/usr/bin/env bash
# The GFW's QUIC censorship in the lab (profile quic): the box opens the first Initial of
# each UDP flow, lets the one naming blocked.test through, and 300 ms later drops the
# client's datagrams to the server's UDP 443 for 20 s. diagnose must name the QUIC block
# (the triggers answered, the follow-ups from the trigger's port and from new ports
# silent) while TCP to the same name is fine; ok.test in the same lab blames nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile quic

diagnose_json "$TEST_TMP/ok.json" ok.test --no-trace || true
expect_verdict "ok.test over TCP and QUIC -> ok" "$TEST_TMP/ok.json" ok

diagnose_json "$TEST_TMP/blocked.json" blocked.test --no-trace || true
expect_verdict "blocked.test -> quic_residual_block" "$TEST_TMP/blocked.json" quic_residual_block
of() { jq_of "$TEST_TMP/blocked.json" ".variants[] | select(.name == \"$1\") | .$2"; }
check_eq "TCP sni still works" "$(of sni trials)" "$(of sni ok)"
check_eq "every quic_sni trigger was answered" "$(of quic_sni trials)" "$(of quic_sni ok)"
check_eq "follow-ups from the trigger's port got nothing" "0" "$(of quic_followup_same_port ok)"
check_eq "follow-ups from new ports got nothing" "0" "$(of quic_followup_new_port ok)"
check "the verdict cites the follow-ups" \
  jq -e '[.verdict.evidence[].id] | index("E_QUIC_FOLLOWUPS_DROPPED")' "$TEST_TMP/blocked.json"
check "the middlebox logged the QUIC trigger" \
  grep -q "trigger rule=gfw-quic action=pass quic" "$LAB_STATE_DIR/middlebox.log"
finish
