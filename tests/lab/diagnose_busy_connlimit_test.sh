#!/usr/bin/env bash
# A busy server, the firewall's way (lab up --server-connlimit 8): the server's iptables
# connlimit resets every SYN to 443 beyond 8 connections at once from one client, whatever
# the name, with no box on the path. diagnose's default run (64 trials in flight) meets it:
# controls and target alike are refused in a burst. That is the server, never interference:
# diagnose must notice the controls failing in a burst, back off (fewer at once), retry the
# failed trials, say so (E_SERVER_BACKOFF) and end `ok`, the name being served fine.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile none --server-connlimit 8

out="$TEST_TMP/connlimit.json"
rc=0
start=$SECONDS
diagnose_json "$out" blocked.test --no-trace --no-quic || rc=$?
elapsed=$((SECONDS - start))
expect_verdict "a server refusing connections beyond 8 at once -> ok" "$out" ok
check_eq "exit status: nothing wrong with the name" 0 "$rc"
check "the verdict cites the back-off (E_SERVER_BACKOFF)" \
  jq -e '.verdict.evidence | any(.id=="E_SERVER_BACKOFF")' "$out"
check "the report records the back-off to fewer trials in flight" \
  jq -e '(.backoff.passes | length >= 2) and .backoff.passes[.backoff.kept].concurrency < 64' "$out"
check_ge "the first pass met the limit (refused controls)" 3 "$(jq_of "$out" '.backoff.passes[0].control_failed')"
# At the limit itself a few may still fail (the server frees a slot a moment after our
# close); what must be gone is the burst.
check "the kept pass has no burst of failed controls" \
  jq -e '.backoff.passes[.backoff.kept].burst < 3' "$out"
check "the run stays bounded (${elapsed}s)" test "$elapsed" -le 25
finish
