#!/usr/bin/env bash
# A box that resets only the client (rst_client profile): the client sees the same reset
# as in the story, but the server's side shows no reset the client did not send. diagnose
# --sink must say "client only" and must not claim two-sided injection.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sink_lib.sh"
skip_unless_root
quiet lab_up --profile rst_client
sink_start

rc=0
sink_diagnose "$TEST_TMP/client.json" blocked.test || rc=$?
check_eq "diagnose says a problem was found" 1 "$rc"
check_eq "verdict" sni_reset "$(jq -r .verdict.cause "$TEST_TMP/client.json")"
check_ge "sni trials reset only at the client" 8 "$(count_findings "$TEST_TMP/client.json" client_only)"
check_eq "no sni trial called two-sided" 0 "$(count_findings "$TEST_TMP/client.json" two_sided)"
check "evidence E_SINK_CLIENT_ONLY" has_evidence "$TEST_TMP/client.json" E_SINK_CLIENT_ONLY
check "no E_SINK_TWO_SIDED" not has_evidence "$TEST_TMP/client.json" E_SINK_TWO_SIDED
check_ge "the server did receive those ClientHellos" 8 \
  "$(jq -r '[.sink.trials[] | select(.finding=="client_only" and .client_hello_seen and .server_name=="blocked.test")] | length' "$TEST_TMP/client.json")"
((LAB_FAILURES == 0)) || sink_explain "$TEST_TMP/client.json"
sink_stop
check_eq "the sink stops cleanly on SIGTERM (128+15)" 143 "$SINK_RC"
finish
