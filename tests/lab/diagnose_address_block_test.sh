#!/usr/bin/env bash
# The address itself is blocked (every TCP packet to 10.77.3.2:443 dropped on the path):
# tcp_unreachable, whatever the name.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile clean --block-address
diagnose_json "$TEST_TMP/addr.json" blocked.test --no-trace --timeout-ms 1500 || true
expect_verdict "address blocked -> tcp_unreachable" "$TEST_TMP/addr.json" tcp_unreachable
finish
