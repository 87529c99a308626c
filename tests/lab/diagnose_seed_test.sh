#!/usr/bin/env bash
# The seed story (DESIGN.md §1): an on-path box resets handshakes naming blocked.test
# (probability 0.9). diagnose must say sni_reset, attribute the RSTs to injection, find
# the box at hop 2 (r2, 10.77.2.2) — and must not flag an innocent name on the same path.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
source "$(dirname "$0")/html.sh"
skip_unless_root
quiet lab_up --profile seed

rc=0
diagnose_json "$TEST_TMP/seed.json" blocked.test --pcap "$TEST_TMP/seed.pcapng" --html "$TEST_TMP/seed.html" || rc=$?
check_eq "exit status says a problem was found" 1 "$rc"
expect_verdict "seed -> sni_reset" "$TEST_TMP/seed.json" sni_reset
check_ge "sni resets seen" 5 "$(jq_of "$TEST_TMP/seed.json" '[.variants[] | select(.name=="sni") | .failures.connection_reset // 0] | add')"
check_eq "no_sni all ok" 10 "$(jq_of "$TEST_TMP/seed.json" '.variants[] | select(.name=="no_sni") | .ok')"
injected=$(jq_of "$TEST_TMP/seed.json" '[.rst[] | select(.origin=="injected")] | length')
# The server's kernel may answer an injected RST that reached it first: that reply is the
# server's (after_injected), but no reset that ended a handshake may be blamed on it.
server=$(jq_of "$TEST_TMP/seed.json" '[.rst[] | select(.origin=="server" and (.after_injected|not))] | length')
check_ge "RSTs attributed to injection" 5 "$injected"
check_eq "no RST blamed on the server" 0 "$server"
# The box forges IP ID 31415 (seed.toml): the fingerprint has a name, not `unknown`.
check_eq "injected RSTs named icp_filing" "$injected" "$(jq_of "$TEST_TMP/seed.json" '[.rst[] | select(.origin=="injected" and .signature=="icp_filing")] | length')"
check_eq "middlebox hop" 2 "$(jq_of "$TEST_TMP/seed.json" '.trace.middlebox_hop')"
check_eq "middlebox router" 10.77.2.2 "$(jq_of "$TEST_TMP/seed.json" '.trace.hops[] | select(.ttl==2) | .router')"
conf=$(jq_of "$TEST_TMP/seed.json" '.verdict.confidence * 100 | floor')
check_ge "confidence with packet evidence" 80 "$conf"

# The pcapng the user can open in Wireshark names the same RSTs the report does.
tshark_rsts=$(tshark -r "$TEST_TMP/seed.pcapng" -Y 'tcp.flags.reset==1 && ip.src==10.77.3.2' 2>/dev/null | wc -l)
report_rsts=$(jq_of "$TEST_TMP/seed.json" '[.trials[].packets[] | select(.direction=="inbound" and (.flags|test("R")))] | length')
check_ge "tshark reads the pcapng" 1 "$tshark_rsts"
check_eq "tshark counts the RSTs the report names" "$report_rsts" "$tshark_rsts"

# The HTML page of the same run, in a real browser: the verdict, one arrow per packet,
# the injected RSTs drawn from r2's lane.
browser_check seed "$TEST_TMP/seed.json" "$TEST_TMP/seed.html" --expect-cause sni_reset \
  --min-injected 1 --hop-lane "hop 2 · 10.77.2.2"

# An innocent name on the same path, same box: ok.
rc=0
diagnose_json "$TEST_TMP/ok.json" ok.test --no-trace || rc=$?
check_eq "ok.test exit status" 0 "$rc"
expect_verdict "innocent name -> ok" "$TEST_TMP/ok.json" ok
finish
