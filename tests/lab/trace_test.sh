#!/usr/bin/env bash
# `sniprobe trace` finds the box where it really is. With the middlebox moved to hop 3
# (r3, which answers from 10.77.3.2) the first TTL at which blocked.test draws resets
# the control does not must be 3, hop 1's router must answer, and an innocent name must
# show no hop at all. With the box at hop 1, the seed box (on-path) and the drop box
# (in-path) must be told apart by whether later routers still see the hello. Runs in
# the lab's client namespace, as a user would.
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
rc=0
start=$(date +%s%N)
trace_json "$TEST_TMP/hop3.json" blocked.test --control-sni ok.test || rc=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check_eq "exit status says a problem was found" 1 "$rc"
check_eq "middlebox hop" 3 "$(jq_of "$TEST_TMP/hop3.json" '.trace.middlebox_hop')"
check_eq "middlebox router" 10.77.3.2 "$(jq_of "$TEST_TMP/hop3.json" '.trace.middlebox_router')"
check_eq "hop 1 answers (r1)" 10.77.1.1 "$(jq_of "$TEST_TMP/hop3.json" '.trace.hops[] | select(.ttl==1) | .router')"
check_eq "target reset at hop 3" rst "$(jq_of "$TEST_TMP/hop3.json" '.trace.hops[] | select(.ttl==3) | .outcome')"
check_eq "control not reset at hop 3" time_exceeded \
  "$(jq_of "$TEST_TMP/hop3.json" '.trace.hops[] | select(.ttl==3) | .control_outcome')"
check "the sweep takes seconds, not minutes (${elapsed_ms} ms)" test "$elapsed_ms" -lt 20000
[[ $rc == 1 ]] || cat "$TEST_TMP/hop3.json" "$TEST_TMP/hop3.json.stderr"

rc=0
trace_json "$TEST_TMP/ok.json" ok.test --control-sni example.org || rc=$?
check_eq "innocent name: exit 0" 0 "$rc"
check_eq "innocent name: no middlebox hop" null "$(jq_of "$TEST_TMP/ok.json" '.trace.middlebox_hop')"
quiet lab_down

# Box at hop 1, routers behind it: the seed box injects but lets the hello travel on
# (on-path, hop 2 still answers the target); the drop box swallows it (in-path).
quiet lab_up --profile seed --middlebox-hop 1
trace_json "$TEST_TMP/seed1.json" blocked.test --control-sni ok.test || true
check_eq "seed at hop 1: middlebox hop" 1 "$(jq_of "$TEST_TMP/seed1.json" '.trace.middlebox_hop')"
check_eq "seed at hop 1: on-path" on_path "$(jq_of "$TEST_TMP/seed1.json" '.trace.placement')"
quiet lab_down

quiet lab_up --profile drop --middlebox-hop 1
rc=0
trace_json "$TEST_TMP/drop.json" blocked.test --control-sni ok.test || rc=$?
check_eq "drop: middlebox hop" 1 "$(jq_of "$TEST_TMP/drop.json" '.trace.middlebox_hop')"
check_eq "drop: target black-holed at hop 2" timeout \
  "$(jq_of "$TEST_TMP/drop.json" '.trace.hops[] | select(.ttl==2) | .outcome')"
check_eq "drop: in-path" in_path "$(jq_of "$TEST_TMP/drop.json" '.trace.placement')"
finish
