#!/usr/bin/env bash
# A busy server, nginx's way (lab up --server-limit-conn 8): nginx's stream limit_conn on
# 443 closes a client's connections beyond 8 at once right after accept, before a TLS byte
# is read (a FIN, or an RST when the hello had already arrived), whatever the name. No box
# on the path. diagnose's default run (64 trials in flight) meets it with controls and
# target alike. It must not call that interference: it backs off (fewer at once), retries
# the failed trials, cites the back-off (E_SERVER_BACKOFF) and ends `ok`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile none --server-limit-conn 8

out="$TEST_TMP/limit-conn.json"
rc=0
start=$SECONDS
diagnose_json "$out" blocked.test --no-trace --no-quic || rc=$?
elapsed=$((SECONDS - start))
expect_verdict "nginx limit_conn 8 -> ok" "$out" ok
check_eq "exit status: nothing wrong with the name" 0 "$rc"
check "the verdict cites the back-off (E_SERVER_BACKOFF)" \
  jq -e '.verdict.evidence | any(.id=="E_SERVER_BACKOFF")' "$out"
check "the report records the back-off to fewer trials in flight" \
  jq -e '(.backoff.passes | length >= 2) and .backoff.passes[.backoff.kept].concurrency < 64' "$out"
check_ge "the first pass met the limit (closed controls)" 3 "$(jq_of "$out" '.backoff.passes[0].control_failed')"
# At the limit itself a few may still fail (the server frees a slot a moment after our
# close); what must be gone is the burst.
check "the kept pass has no burst of failed controls" \
  jq -e '.backoff.passes[.backoff.kept].burst < 3' "$out"
check "the run stays bounded (${elapsed}s)" test "$elapsed" -le 25
finish
