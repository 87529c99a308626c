#!/usr/bin/env bash
# `sniprobe trace` over IPv6: hop-limited ClientHellos and ICMPv6 time-exceeded. With the
# seed box (which now inspects IPv6) at hop 3 — r3, which answers from fd77:3::2; the
# server is fd77:4::2 with three routers — the first hop limit at which blocked.test
# draws resets the control does not must be 3, hop 1's router must answer from
# fd77:1::1, and an innocent name must show no hop at all.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root

trace_json() {  # OUT NAME [args...]: runs trace --json into OUT; returns its exit status
  local out="$1" name="$2"
  shift 2
  local rc=0
  lab_exec client "$SNIPROBE" trace "$name" --json "$@" >"$out" 2>"$out.stderr" || rc=$?
  return "$rc"
}

quiet lab_up --profile seed --middlebox-hop 3
server6=fd77:4::2
rc=0
trace_json "$TEST_TMP/hop3.json" blocked.test --ip "$server6" --control-sni ok.test || rc=$?
check_eq "exit status says a problem was found" 1 "$rc"
check_eq "middlebox hop" 3 "$(jq_of "$TEST_TMP/hop3.json" '.trace.middlebox_hop')"
check_eq "middlebox router (r3's IPv6 address)" fd77:3::2 "$(jq_of "$TEST_TMP/hop3.json" '.trace.middlebox_router')"
check_eq "hop 1 answers (r1)" fd77:1::1 "$(jq_of "$TEST_TMP/hop3.json" '.trace.hops[] | select(.ttl==1) | .router')"
check_eq "target reset at hop 3" rst "$(jq_of "$TEST_TMP/hop3.json" '.trace.hops[] | select(.ttl==3) | .outcome')"
check_eq "control not reset at hop 3" time_exceeded \
  "$(jq_of "$TEST_TMP/hop3.json" '.trace.hops[] | select(.ttl==3) | .control_outcome')"
[[ $rc == 1 ]] || cat "$TEST_TMP/hop3.json" "$TEST_TMP/hop3.json.stderr"

rc=0
trace_json "$TEST_TMP/ok.json" ok.test --ip "$server6" --control-sni example.org || rc=$?
check_eq "innocent name: exit 0" 0 "$rc"
check_eq "innocent name: no middlebox hop" null "$(jq_of "$TEST_TMP/ok.json" '.trace.middlebox_hop')"
finish
