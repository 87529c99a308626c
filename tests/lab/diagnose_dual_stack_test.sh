#!/usr/bin/env bash
# A dual-stack name (dual.test: A and AAAA in the lab's hosts file) behind a box that
# resets it on IPv6 only (a rule with family = "ipv6"; real boxes often inspect one
# family). diagnose must report each family on its own: ipv4 ok, ipv6 sni_reset, in
# JSON (`families`) and in the text report, and note that they differ.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root

rules="$TEST_TMP/ipv6-only.toml"
cat >"$rules" <<'TOML'
[[rule]]
name = "ipv6-only"
action = "rst_both"
probability = 1.0
family = "ipv6"

[rule.match]
sni_exact = "dual.test"
TOML
quiet lab_up --rules "$rules"

out="$TEST_TMP/dual.json"
rc=0
diagnose_json "$out" dual.test --no-trace || rc=$?
check_eq "both families were probed" ipv4,ipv6 "$(jq_of "$out" '[.addresses[].family] | unique | join(",")')"
check_eq "ipv4 alone: ok" ok "$(jq_of "$out" '.families[] | select(.family=="ipv4") | .verdict.cause')"
check_eq "ipv6 alone: sni_reset" sni_reset "$(jq_of "$out" '.families[] | select(.family=="ipv6") | .verdict.cause')"
check_eq "ipv6's addresses" fd77:3::2 "$(jq_of "$out" '.families[] | select(.family=="ipv6") | .addresses | join(",")')"
check_ge "a note says the families differ" 1 "$(jq_of "$out" '[.notes[] | select(test("families differ"))] | length')"

text=$(lab_exec client "$SNIPROBE" diagnose dual.test --no-trace --ca-file "$LAB_CA" 2>/dev/null || true)
check "the text report has a per-family section" grep -q "per address family" <<<"$text"
check "...with ipv6 sni_reset" grep -Eq "^  ipv6 \(fd77:3::2, [0-9]+ trials\): sni_reset" <<<"$text"
check "...and ipv4 ok" grep -Eq "^  ipv4 \(10\.77\.3\.2, [0-9]+ trials\): ok" <<<"$text"
if ((LAB_FAILURES > 0)); then
  jq -c '.families, .addresses, .verdict.cause' "$out" || cat "$out"
  echo "$text"
fi
finish
