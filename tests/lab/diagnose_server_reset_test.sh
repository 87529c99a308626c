#!/usr/bin/env bash
# The worst failure this tool can have is blaming the network for a server bug. Here the
# server's own kernel resets every handshake naming blocked.test (a host firewall that
# matches the name), with no middlebox on the path: the resets ARE name-dependent, yet
# the verdict must be server_reset and the RSTs must carry the server's fingerprint.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
source "$(dirname "$0")/html.sh"
skip_unless_root
quiet lab_up --profile clean --server-reset blocked.test
diagnose_json "$TEST_TMP/sr.json" blocked.test --no-trace --html "$TEST_TMP/sr.html" || true
expect_verdict "server resets by itself -> server_reset" "$TEST_TMP/sr.json" server_reset
check_eq "no RST called injected" 0 "$(jq_of "$TEST_TMP/sr.json" '[.rst[] | select(.origin=="injected")] | length')"
check_ge "RSTs attributed to the server" 5 "$(jq_of "$TEST_TMP/sr.json" '[.rst[] | select(.origin=="server")] | length')"
browser_check server_reset "$TEST_TMP/sr.json" "$TEST_TMP/sr.html" \
  --expect-cause server_reset --max-injected 0 --min-server-close 1
finish
