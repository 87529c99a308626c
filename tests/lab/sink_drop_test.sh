#!/usr/bin/env bash
# An in-path box that black-holes handshakes naming blocked.test (drop profile): the TCP
# handshake completes, the ClientHello never arrives. The sink proves it from the
# server's side: E_SINK_NO_CLIENT_HELLO, while the controls' hellos arrived.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sink_lib.sh"
skip_unless_root
quiet lab_up --profile drop
sink_start

rc=0
sink_diagnose "$TEST_TMP/drop.json" blocked.test --timeout-ms 1500 || rc=$?
check_eq "diagnose says a problem was found" 1 "$rc"
check_eq "verdict" sni_drop "$(jq -r .verdict.cause "$TEST_TMP/drop.json")"
check_eq "every sni trial: the server never saw the ClientHello" 10 "$(count_findings "$TEST_TMP/drop.json" no_client_hello)"
check "evidence E_SINK_NO_CLIENT_HELLO" has_evidence "$TEST_TMP/drop.json" E_SINK_NO_CLIENT_HELLO
check_ge "the controls' ClientHellos did arrive" 20 \
  "$(jq -r '[.sink.trials[] | select(.client_hello_seen)] | length' "$TEST_TMP/drop.json")"
((LAB_FAILURES == 0)) || sink_explain "$TEST_TMP/drop.json"
sink_stop
check_eq "the sink stops cleanly on SIGTERM (128+15)" 143 "$SINK_RC"
finish
