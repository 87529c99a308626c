#!/usr/bin/env bash
# A box that answers the target name with a forged FIN: sni_close.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile fin
diagnose_json "$TEST_TMP/fin.json" blocked.test --no-trace || true
expect_verdict "fin -> sni_close" "$TEST_TMP/fin.json" sni_close
finish
