#!/usr/bin/env bash
# Interference in a minority of handshakes (probability 0.3) is still interference:
# the verdict must be sni_reset, not ok and not inconclusive.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile p30
diagnose_json "$TEST_TMP/p30.json" blocked.test --no-trace || true
expect_verdict "p30 -> sni_reset" "$TEST_TMP/p30.json" sni_reset
finish
