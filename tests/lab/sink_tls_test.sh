#!/usr/bin/env bash
# The sink terminates TLS itself (--cert/--key): in a clean lab, beside nginx (which
# keeps 443 and 8443), the sink listens on 10443 with the lab's ok.test leaf. A stock
# `openssl s_client` from the client verifies the chain against the lab CA and completes
# the handshake, and the sink's record of that connection says so (tls_completed, the
# SNI the server saw) joined with what its capture saw (SYN, ClientHello). Bytes that are
# not TLS on that port become named anomalies, and the sink keeps running.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sink_lib.sh"
skip_unless_root
quiet lab_up --profile clean
TLS_PORT=10443
PKI="${LAB_STATE_DIR}/pki"
sink_start --cert "$PKI/ok.test.pem" --key "$PKI/ok.test.key" --tls-port "$TLS_PORT"

# 1. A real, verified handshake against the sink's own listener.
rc=0
lab_exec client timeout 10 openssl s_client -connect "${SINK_ADDR}:${TLS_PORT}" -servername ok.test \
  -CAfile "$LAB_CA" -verify_return_error </dev/null >"$TEST_TMP/s_client.out" 2>&1 || rc=$?
check_eq "openssl s_client completes a verified handshake with the sink" 0 "$rc"
check "the chain verified against the lab CA" grep -q "Verify return code: 0 (ok)" "$TEST_TMP/s_client.out"
check_eq "nginx still serves 443 beside it" 1 "$(count_handshakes 1 ok.test 443 -CAfile "$LAB_CA" -verify_return_error)"

# 2. Not TLS on the TLS port: random bytes (first byte forced non-TLS) and plain HTTP.
lab_exec client bash -c "{ printf 'Z'; head -c 500 /dev/urandom; } > /dev/tcp/${SINK_ADDR}/${TLS_PORT}" 2>/dev/null || true
lab_exec client curl -s --max-time 5 -o /dev/null "http://${SINK_ADDR}:${TLS_PORT}/" || true

# 3. The records: wait (bounded) until all three connections are noted.
tls_records() {
  [[ $(sink_query "$SINK_TOKEN_FILE" "client=10.77.1.2" "$TEST_TMP/tls.json") == 200 ]] &&
    jq_true "$TEST_TMP/tls.json" "[.connections[] | select(.server_port==${TLS_PORT} and .tls != null)] | length >= 3"
}
check "the sink noted its three TLS connections" wait_for 10 tls_records
jq -c ".connections[] | select(.server_port==${TLS_PORT}) | {client_port, syn: (.syn != null), hello: .client_hello.server_name, tls_completed, tls}" \
  "$TEST_TMP/tls.json" || true
completed='[.connections[] | select(.server_port=='${TLS_PORT}' and .tls_completed)]'
check_eq "exactly one completed handshake on the sink's port" 1 "$(jq -r "$completed | length" "$TEST_TMP/tls.json")"
check_eq "the server saw the SNI ok.test" ok.test "$(jq -r "$completed | .[0].tls.server_name" "$TEST_TMP/tls.json")"
check_eq "with TLS 1.3" TLSv1.3 "$(jq -r "$completed | .[0].tls.version" "$TEST_TMP/tls.json")"
check_eq "the same record holds the captured SYN" true "$(jq -r "$completed | .[0].syn != null" "$TEST_TMP/tls.json")"
check_eq "and the captured ClientHello's name" ok.test "$(jq -r "$completed | .[0].client_hello.server_name" "$TEST_TMP/tls.json")"
check_eq "random bytes are a not_tls anomaly" 1 \
  "$(jq -r "[.connections[] | select(.server_port==${TLS_PORT} and .tls.anomaly==\"not_tls\")] | length" "$TEST_TMP/tls.json")"
check_eq "plain HTTP is an http_request anomaly" 1 \
  "$(jq -r "[.connections[] | select(.server_port==${TLS_PORT} and .tls.anomaly==\"http_request\")] | length" "$TEST_TMP/tls.json")"
check "the sink survived" pid_alive "$SINK_PID"
sink_stop
check_eq "the sink stops cleanly on SIGTERM (128+15)" 143 "$SINK_RC"
check "its last line counts the completed handshake" grep -q "TLS: 3 accepted, 1 handshakes completed, 2 failed" "$SINK_LOG"
((LAB_FAILURES == 0)) || tail -20 "$SINK_LOG"
finish
