#!/usr/bin/env bash
# A server whose firewall (lab up --server-reset-large) resets every TCP segment of 1400+
# bytes: a load balancer that breaks on ClientHellos spanning two segments, with no box
# on the path. Small hellos work; sni_large and control_large (forged two-segment Chrome
# hellos) are reset by the server's own kernel whatever the name. The verdict must say it
# is the server (server_reset, E_SERVER_LARGE_HELLO), not ok and not a box.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile none --server-reset-large

out="$TEST_TMP/large.json"
diagnose_json "$out" blocked.test --no-trace --variants sni,no_sni,control_sni,sni_large,control_large || true
expect_verdict "large hellos reset by the server -> server_reset" "$out" server_reset
ok_of() { jq_of "$1" ".variants[] | select(.name==\"$2\") | .ok // 0"; }
check_eq "sni: small hellos all work" 10 "$(ok_of "$out" sni)"
check_eq "sni_large: every large hello fails" 0 "$(ok_of "$out" sni_large)"
check_eq "control_large: ...whatever the name" 0 "$(ok_of "$out" control_large)"
check "the verdict cites the large-hello finding" jq -e '.verdict.evidence | any(.id=="E_SERVER_LARGE_HELLO")' "$out"
check_eq "no RST called injected" 0 "$(jq_of "$out" '[.rst[] | select(.origin=="injected")] | length')"
check_ge "RSTs attributed to the server" 5 "$(jq_of "$out" '[.rst[] | select(.origin=="server")] | length')"
check "the summary says two TCP segments" jq -e '.verdict.summary | test("two TCP segments")' "$out"
finish
