#!/usr/bin/env bash
# The clean lab over QUIC: the lab's gtlsserver answers every QUIC variant (the target
# name in a Chrome-shaped hello spread over two Initials, no name, the control name, the
# version ping, the follow-ups from the trigger's port and a fresh one, and the GREASE ECH
# twins over QUIC and TCP) with a ServerHello or a Version Negotiation; the verdict blames
# nothing. --no-quic runs none.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile clean
check "the lab runs its QUIC server" \
  bash -c "'$SNIPROBE' lab status --instance '$LAB_INSTANCE' --json | jq -e '.quic_server.alive' >/dev/null"

diagnose_json "$TEST_TMP/clean.json" ok.test --no-trace || true
expect_verdict "clean lab, QUIC on (port 443) -> ok" "$TEST_TMP/clean.json" ok
for v in quic_sni quic_no_sni quic_control quic_version_ping quic_followup_same_port quic_followup_new_port \
  quic_sni_ech quic_control_ech sni_ech control_ech; do
  trials=$(jq_of "$TEST_TMP/clean.json" ".variants[] | select(.name == \"$v\") | .trials")
  ok=$(jq_of "$TEST_TMP/clean.json" ".variants[] | select(.name == \"$v\") | .ok")
  check_ge "$v ran" 2 "${trials:-0}"
  check_eq "$v answered every time" "$trials" "$ok"
done
check_eq "quic_sni read TLS 1.3 from the server's Initial" "TLSv1.3" \
  "$(jq_of "$TEST_TMP/clean.json" '[.trials[] | select(.variant == "quic_sni") | .tls_version] | unique | join(",")')"
check_eq "quic_sni hellos took two Initials (Chrome's post-quantum hello)" "2" \
  "$(jq_of "$TEST_TMP/clean.json" '[.trials[] | select(.variant == "quic_sni") | .client_hello_segments] | unique | join(",")')"
check "no ECH evidence in the clean lab" \
  jq -e '[.verdict.evidence[].id | select(startswith("E_ECH"))] | length == 0' "$TEST_TMP/clean.json"
same=$(jq_of "$TEST_TMP/clean.json" '[.trials[] | select(.variant == "quic_sni") | .local_port] | sort | join(",")')
follow=$(jq_of "$TEST_TMP/clean.json" '[.trials[] | select(.variant == "quic_followup_same_port") | .local_port] | unique | .[]')
for port in $follow; do
  check "follow-up port $port is a trigger's port ($same)" bash -c "[[ ,$same, == *,$port,* ]]"
done

diagnose_json "$TEST_TMP/noquic.json" ok.test --no-trace --no-quic || true
check_eq "--no-quic runs no QUIC variant" "0" \
  "$(jq_of "$TEST_TMP/noquic.json" '[.variants[] | select(.name | startswith("quic_"))] | length')"
finish
