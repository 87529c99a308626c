#!/usr/bin/env bash
# The lab's server side without a middlebox, checked from the client namespace with the
# tools a user would reach for: `openssl s_client -verify_return_error -CAfile <lab CA>`
# verifies ok.test; chain.test fails with "unable to get local issuer certificate";
# expired.test with "certificate has expired"; mismatch.test fails the host name check;
# unknown.test:8443 gets an unrecognized_name alert; no SNI gets default.test; port 80
# answers 200; r1 and r2 answer ping and sit on the path (TTL-limited pings expire there);
# nginx logs at info in the state directory.
source "$(dirname "$0")/lib.sh"
skip_unless_root

check "lab up --profile none" quiet lab_up --profile none

# s_client output (stdout+stderr) for a name and port, verifying against the lab CA.
s_client() {
  local name="$1" port="$2"
  shift 2
  timeout 10 "$SNIPROBE" lab exec client -- openssl s_client -connect "${name}:${port}" \
    -servername "$name" -CAfile "$LAB_CA" -verify_return_error -brief "$@" </dev/null 2>&1 || true
}

out=$(s_client ok.test 443 -verify_hostname ok.test)
check "ok.test verifies against the lab CA" grep -q "CONNECTION ESTABLISHED" <<<"$out"
check "ok.test: verification OK" grep -q "Verification: OK" <<<"$out"
out=$(s_client blocked.test 443 -verify_hostname blocked.test)
check "blocked.test verifies (no middlebox)" grep -q "CONNECTION ESTABLISHED" <<<"$out"
out=$(s_client chain.test 443)
check "chain.test: unable to get local issuer certificate" grep -q "unable to get local issuer certificate" <<<"$out"
check "chain.test: no connection" not grep -q "CONNECTION ESTABLISHED" <<<"$out"
out=$(s_client expired.test 443)
check "expired.test: certificate has expired" grep -q "certificate has expired" <<<"$out"
out=$(s_client mismatch.test 443 -verify_hostname mismatch.test)
check "mismatch.test: hostname mismatch" grep -q "hostname mismatch" <<<"$out"
check "mismatch.test serves other.test" grep -q "CN = other.test" <<<"$out"
out=$(s_client unknown.test 8443)
check "unknown.test:8443: unrecognized_name alert" grep -Eq "unrecognized name|alert number 112" <<<"$out"
out=$(timeout 10 "$SNIPROBE" lab exec client -- openssl s_client -connect 10.77.3.2:443 -noservername \
  -CAfile "$LAB_CA" -verify_return_error -brief -verify_hostname default.test </dev/null 2>&1 || true)
check "no SNI: default.test, verified" grep -q "CN = default.test" <<<"$out"
check "no SNI: connection established" grep -q "CONNECTION ESTABLISHED" <<<"$out"
out=$(timeout 10 "$SNIPROBE" lab exec client -- openssl s_client -connect 10.77.3.2:443 \
  -servername example.com -brief </dev/null 2>&1 || true)
check "unknown SNI (control name): served default.test" grep -q "CN = default.test" <<<"$out"

code=$(lab_exec client curl -s -o "$TEST_TMP/page" -w '%{http_code}' -m 5 -H 'Host: anything.test' http://10.77.3.2/ || true)
check_eq "port 80 answers any Host" 200 "$code"
check "port 80 page names the Host" grep -q "anything.test" "$TEST_TMP/page"
check "IPv6: port 80 answers on fd77:3::2" lab_exec client curl -sf -m 5 -o /dev/null "http://[fd77:3::2]/"

check "ping r1" quiet lab_exec client ping -c 1 -W 2 r1
check "ping r2" quiet lab_exec client ping -c 1 -W 2 r2
check "ping server" quiet lab_exec client ping -c 1 -W 2 server
out=$(lab_exec client ping -c 1 -W 2 -t 1 server 2>&1 || true)
check "TTL 1 expires at r1 (10.77.1.1)" grep -q "From r1 (10.77.1.1).*Time to live exceeded" <<<"$out"
out=$(lab_exec client ping -c 1 -W 2 -t 2 server 2>&1 || true)
check "TTL 2 expires at r2 (10.77.2.2)" grep -q "From r2 (10.77.2.2).*Time to live exceeded" <<<"$out"
check "the client's resolver is the lab's hosts file" grep -q "10.77.3.2 ok.test" <(lab_exec client cat /etc/hosts)

check "nginx error log at info in the state dir" test -s "$LAB_STATE_DIR/nginx-error.log"
check "nginx logged the failed handshakes at info" grep -q "\[info\]" "$LAB_STATE_DIR/nginx-error.log"
finish
