#!/usr/bin/env bash
# Server-side truths on a clean path: a valid site is ok; an incomplete chain, an expired
# leaf and a name mismatch are `certificate` with the right subcode (even though "the
# handshake fails"); an unknown name rejected with ssl_reject_handshake is `tls_alert`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
source "$(dirname "$0")/html.sh"
skip_unless_root
quiet lab_up --profile clean

rc=0
diagnose_json "$TEST_TMP/ok.json" ok.test --no-trace || rc=$?
expect_verdict "clean -> ok" "$TEST_TMP/ok.json" ok
check_eq "ok exit status" 0 "$rc"

diagnose_json "$TEST_TMP/chain.json" chain.test --no-trace --html "$TEST_TMP/chain.html" || true
expect_verdict "incomplete chain" "$TEST_TMP/chain.json" certificate chain_incomplete
browser_check chain "$TEST_TMP/chain.json" "$TEST_TMP/chain.html" --expect-cause certificate \
  --min-arrows 1 --max-injected 0 --expect-text "chain_incomplete"
diagnose_json "$TEST_TMP/expired.json" expired.test --no-trace || true
expect_verdict "expired leaf" "$TEST_TMP/expired.json" certificate expired
diagnose_json "$TEST_TMP/mismatch.json" mismatch.test --no-trace || true
expect_verdict "name mismatch" "$TEST_TMP/mismatch.json" certificate name_mismatch
diagnose_json "$TEST_TMP/alert.json" unknown.test:8443 --no-trace || true
expect_verdict "ssl_reject_handshake -> tls_alert" "$TEST_TMP/alert.json" tls_alert
check_eq "alert named" unrecognized_name \
  "$(jq_of "$TEST_TMP/alert.json" '[.trials[] | select(.variant=="sni") | .alert_received] | first')"

# A name that does not resolve is a finding (dns), not a usage error.
rc=0
diagnose_json "$TEST_TMP/dns.json" nowhere.test --no-trace || rc=$?
expect_verdict "unresolvable -> dns" "$TEST_TMP/dns.json" dns
check_eq "dns exit status" 1 "$rc"
finish
