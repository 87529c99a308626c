#!/usr/bin/env bash
# Plain-HTTP Host blocking (profile http): the box answers Host: blocked.test on port 80
# with a 403 page the origin never sent. The verdict must rest on the differential, not
# only on the page's markers: the control Host (control_http) to the same address gets
# the lab nginx's own page, and the report cites it (E_HTTP_CONTROL). An innocent name
# on the same path is ok.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile http

out="$TEST_TMP/http.json"
diagnose_json "$out" blocked.test --no-trace || true
expect_verdict "Host blocked on port 80 -> http_host_block" "$out" http_host_block
ok_of() { jq_of "$1" ".variants[] | select(.name==\"$2\") | .ok // 0"; }
trials_of() { jq_of "$1" ".variants[] | select(.name==\"$2\") | .trials // 0"; }
check_ge "control_http ran" 1 "$(trials_of "$out" control_http)"
check_eq "control_http all answered by the origin" "$(trials_of "$out" control_http)" "$(ok_of "$out" control_http)"
check_eq "the control Host got nginx" nginx "$(jq_of "$out" '[.trials[] | select(.variant=="control_http") | .http_server_header] | unique | join(",")')"
check "the verdict cites the block page" jq -e '.verdict.evidence | any(.id=="E_HTTP_BLOCKPAGE")' "$out"
check "...and the control Host it differs from" jq -e '.verdict.evidence | any(.id=="E_HTTP_CONTROL")' "$out"

ok="$TEST_TMP/ok.json"
diagnose_json "$ok" ok.test --no-trace || true
expect_verdict "innocent name -> ok" "$ok" ok
finish
