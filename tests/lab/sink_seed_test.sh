#!/usr/bin/env bash
# The story from both ends (DESIGN.md §1): the seed box (rst_both on blocked.test) resets
# the client AND the server. With a sink beside nginx, diagnose must prove it: the server
# received resets the client never sent — with the box's TTL (53), not the client's.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sink_lib.sh"
source "$(dirname "$0")/html.sh"
skip_unless_root
quiet lab_up --profile seed
sink_start

rc=0
sink_diagnose "$TEST_TMP/seed.json" blocked.test || rc=$?
check_eq "diagnose says a problem was found" 1 "$rc"
check_eq "verdict" sni_reset "$(jq -r .verdict.cause "$TEST_TMP/seed.json")"
check "the sink's records were fetched" jq_true "$TEST_TMP/seed.json" '.sink.failure == null and .sink.records > 0'
check_ge "sni trials matched on the server's side" 10 "$(jq -r '[.sink.trials[] | select(.matched_by=="4-tuple")] | length' "$TEST_TMP/seed.json")"
two_sided=$(count_findings "$TEST_TMP/seed.json" two_sided)
check_ge "sni trials proven two-sided (probability 0.9)" 5 "$two_sided"
check "evidence E_SINK_TWO_SIDED" has_evidence "$TEST_TMP/seed.json" E_SINK_TWO_SIDED
check "no E_SINK_CLIENT_ONLY" not has_evidence "$TEST_TMP/seed.json" E_SINK_CLIENT_ONLY
# The forged resets carry the rules' TTL (53); the client's own SYN arrived with 62.
forged_ttls=$(jq -r '[.sink.trials[] | select(.finding=="two_sided") | .rst_ttls[]] | unique | join(",")' "$TEST_TMP/seed.json")
syn_ttls=$(jq -r '[.sink.trials[] | select(.finding=="two_sided") | .syn_ttl] | unique | join(",")' "$TEST_TMP/seed.json")
check "forged resets arrived with the box's TTL 53 ($forged_ttls)" grep -qw 53 <<<"$forged_ttls"
check_eq "the client's SYNs arrived with TTL 62" 62 "$syn_ttls"
check_eq "controls are clean on the server's side" 0 \
  "$(jq -r '[.trials[] | select(.variant!="sni") | .id] as $c | [.sink.trials[] | select(.finding!="clean" and (.trial_id as $id | $c | index($id)))] | length' "$TEST_TMP/seed.json")"
check "the text report names it in plain words" grep -q "never sent" <(jq -r '.verdict.evidence[].text' "$TEST_TMP/seed.json")
((LAB_FAILURES == 0)) || sink_explain "$TEST_TMP/seed.json"

# The saved report rendered again as HTML: the server's view stands beside the ladders.
check "sniprobe report renders the saved run" "$SNIPROBE" report "$TEST_TMP/seed.json" --html "$TEST_TMP/seed.html"
browser_check sink_seed "$TEST_TMP/seed.json" "$TEST_TMP/seed.html" --expect-cause sni_reset \
  --min-injected 1 --min-sink-views 1

sink_stop
check_eq "the sink stops cleanly on SIGTERM (128+15)" 143 "$SINK_RC"
check "and says what it did" grep -q "sink: stopping" "$SINK_LOG"
finish
