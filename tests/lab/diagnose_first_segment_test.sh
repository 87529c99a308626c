#!/usr/bin/env bash
# A box that reads only the first TCP segment (profile first_segment) resets handshakes
# naming blocked.test. The plain hello (OpenSSL's, about 330 bytes) is caught; sni_large,
# Chrome's post-quantum hello of about 1.8 KB with the name past the first MSS, passes, as
# does its control twin. The verdict stays sni_reset, and the report shows the large hello
# passing (E_LARGE_EVADES). On an innocent name, the lab's nginx answers every forged shape
# (large, Chrome, Firefox and their control twins) with a ServerHello.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile first_segment

variants=sni,no_sni,control_sni,sni_large,control_large,browser
rc=0
diagnose_json "$TEST_TMP/blocked.json" blocked.test --no-trace --variants "$variants" || rc=$?
check_eq "exit status says a problem was found" 1 "$rc"
expect_verdict "first-segment box -> sni_reset" "$TEST_TMP/blocked.json" sni_reset
ok_of() { jq_of "$1" ".variants[] | select(.name==\"$2\") | .ok"; }
check_eq "sni: every handshake reset" 0 "$(ok_of "$TEST_TMP/blocked.json" sni)"
check_eq "sni resets" 10 "$(jq_of "$TEST_TMP/blocked.json" '.variants[] | select(.name=="sni") | .failures.connection_reset // 0')"
check_eq "sni_large passes the box" 10 "$(ok_of "$TEST_TMP/blocked.json" sni_large)"
check_eq "control_large passes too" 10 "$(ok_of "$TEST_TMP/blocked.json" control_large)"
check_eq "no_sni ok" 10 "$(ok_of "$TEST_TMP/blocked.json" no_sni)"
check "report cites the large hello passing" jq -e '[.verdict.evidence[] | select(.id=="E_LARGE_EVADES")] | length == 1' "$TEST_TMP/blocked.json"
# Every large hello went out in at least two segments, the name in the second.
check_eq "large hellos in two segments" 10 "$(jq_of "$TEST_TMP/blocked.json" '[.trials[] | select(.variant=="sni_large" and .client_hello_segments >= 2)] | length')"
for v in control_chrome control_firefox; do
  check_eq "$v ok" 10 "$(ok_of "$TEST_TMP/blocked.json" "$v")"
done
# The browser shapes: Chrome's permuted order puts the name in either segment, so its
# rate is between 0 and 1; Firefox's hello fits one segment with the name early: caught.
check_eq "sni_firefox caught" 0 "$(ok_of "$TEST_TMP/blocked.json" sni_firefox)"
jq -c '.variants[] | {name, trials, ok, failures}' "$TEST_TMP/blocked.json"

rc=0
diagnose_json "$TEST_TMP/ok.json" ok.test --no-trace --variants sni,sni_large,control_large,browser || rc=$?
check_eq "ok.test exit status" 0 "$rc"
expect_verdict "innocent name -> ok" "$TEST_TMP/ok.json" ok
for v in sni_large control_large sni_chrome control_chrome sni_firefox control_firefox; do
  check_eq "nginx answers $v" 10 "$(ok_of "$TEST_TMP/ok.json" "$v")"
done
check_eq "nginx speaks TLS 1.3 to the forged hellos" 0 "$(jq_of "$TEST_TMP/ok.json" '[.trials[] | select(.variant!="sni" and .tls_version!="TLSv1.3")] | length')"
finish
