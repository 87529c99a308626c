#!/usr/bin/env bash
# A box that black-holes handshakes naming blocked.test: sni_drop, and the run takes
# about one timeout, not one timeout per dropped trial.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
source "$(dirname "$0")/html.sh"
skip_unless_root
quiet lab_up --profile drop
start=$SECONDS
diagnose_json "$TEST_TMP/drop.json" blocked.test --no-trace --timeout-ms 2000 --html "$TEST_TMP/drop.html" || true
elapsed=$((SECONDS - start))
expect_verdict "drop -> sni_drop" "$TEST_TMP/drop.json" sni_drop
check "drop diagnosis within timeout + 3 s (took ${elapsed}s)" test "$elapsed" -le 5
browser_check drop "$TEST_TMP/drop.json" "$TEST_TMP/drop.html" --expect-cause sni_drop \
  --min-arrows 1 --max-injected 0
finish
