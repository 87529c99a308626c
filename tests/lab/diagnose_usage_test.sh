#!/usr/bin/env bash
# Bad input gets one clear line and exit 2; an IDN becomes punycode for the SNI; an IPv6
# literal is accepted. Needs no lab and no root.
source "$(dirname "$0")/lib.sh"

usage_case() {
  local what="$1"
  shift
  local rc=0
  "$SNIPROBE" diagnose "$@" --no-capture --trials 1 >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  check_eq "$what: exit 2" 2 "$rc"
  check_eq "$what: one line on stderr" 1 "$(wc -l <"$TEST_TMP/err")"
  check "$what: nothing on stdout" test ! -s "$TEST_TMP/out"
}
usage_case "invalid host name" 'bad_host!.test'
usage_case "port out of range" blocked.test:70000
usage_case "port zero" blocked.test:0
usage_case "empty label" 'a..test'
usage_case "invalid IDN" '☃.test'
usage_case "bad --ip" blocked.test --ip 10.77.3.999
usage_case "unknown variant" blocked.test --variants sni,bogus

# An IDN is sent as punycode (checked without network: the SNI is in the JSON target).
"$SNIPROBE" diagnose 'bücher.test' --ip 127.0.0.1 --no-capture --no-trace --trials 1 --timeout-ms 300 \
  --variants sni --json >"$TEST_TMP/idn.json" 2>/dev/null || true
check_eq "IDN to punycode" xn--bcher-kva.test "$(jq -r '.target.server_name' "$TEST_TMP/idn.json")"

# A bracketed IPv6 literal with a port parses, and no SNI is sent for an IP literal.
"$SNIPROBE" diagnose '[::1]:9' --no-capture --no-trace --trials 1 --timeout-ms 300 \
  --variants no_sni --json >"$TEST_TMP/v6.json" 2>/dev/null || true
check_eq "IPv6 literal port" 9 "$(jq -r '.target.port' "$TEST_TMP/v6.json")"
check_eq "IPv6 literal address probed" ::1 "$(jq -r '.addresses[0].address' "$TEST_TMP/v6.json")"
finish
