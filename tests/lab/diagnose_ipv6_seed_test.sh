#!/usr/bin/env bash
# The seed story over IPv6: the box (seed profile) now inspects IPv6 too (ip6tables-nft
# NFQUEUE), so a diagnose of blocked.test at the server's IPv6 address must say
# sni_reset, attribute the RSTs to injection from their hop limit and IP-less
# fingerprint, and its trace must find the box at hop 2 (r2's IPv6 address).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root
quiet lab_up --profile seed

out="$TEST_TMP/seed6.json"
rc=0
diagnose_json "$out" blocked.test --ip fd77:3::2 || rc=$?
check_eq "exit status says a problem was found" 1 "$rc"
expect_verdict "seed over IPv6 -> sni_reset" "$out" sni_reset
check_eq "every trial went to the IPv6 address" fd77:3::2 "$(jq_of "$out" '[.trials[].address] | unique | join(",")')"
check_eq "the address is reported as ipv6" ipv6 "$(jq_of "$out" '[.addresses[].family] | unique | join(",")')"
check_ge "RSTs attributed to injection" 5 "$(jq_of "$out" '[.rst[] | select(.origin=="injected")] | length')"
check_eq "no RST before an injection blamed on the server" 0 \
  "$(jq_of "$out" '[.rst[] | select(.origin=="server" and (.after_injected|not))] | length')"
check_eq "the trace finds the box at hop 2" 2 "$(jq_of "$out" '.trace.middlebox_hop')"
check_eq "...answering from r2's IPv6 address" fd77:2::2 "$(jq_of "$out" '.trace.middlebox_router')"
finish
