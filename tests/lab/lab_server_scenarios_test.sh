#!/usr/bin/env bash
# The two server-side scenarios that need no middlebox, as `lab up` options:
# --server-reset NAME makes the server's own kernel reset handshakes naming NAME
# (REJECT --reject-with tcp-reset in the server's INPUT) while other names pass, and
# --block-address black-holes TCP to the server's port 443 in the middlebox router while
# port 80 still answers (the tcp_unreachable case).
source "$(dirname "$0")/lib.sh"
skip_unless_root

check "lab up --profile none --server-reset blocked.test" quiet lab_up --profile none --server-reset blocked.test
check_eq "status records the scenario" blocked.test "$("$SNIPROBE" lab status --json | jq -r .scenario.server_reset_name)"
check "the rule sits in the server namespace" grep -q "sniprobe-server-reset" <(lab_exec server iptables-nft -S INPUT)
out=$(timeout 10 "$SNIPROBE" lab exec client -- openssl s_client -connect blocked.test:443 \
  -servername blocked.test -brief </dev/null 2>&1 || true)
check "blocked.test is reset (ECONNRESET)" grep -q "errno=104" <<<"$out"
check "ok.test completes" tls_handshake ok.test
check "no SNI completes" tls_handshake -

check "lab up --profile none --block-address" quiet lab_up --profile none --block-address
check "the rule sits in the middlebox router" grep -q "sniprobe-block-address" <(lab_exec r2 iptables-nft -S FORWARD)
timeout 4 "$SNIPROBE" lab exec client -- openssl s_client -connect ok.test:443 -servername ok.test \
  -brief </dev/null >/dev/null 2>&1 && rc=0 || rc=$?
check_eq "port 443 hangs until the timeout" 124 "$rc"
check "port 80 still answers" lab_exec client curl -sf -m 5 -o /dev/null http://ok.test/
finish
