#!/usr/bin/env bash
# The sink faces strangers: a wrong token is refused (401), logged with the peer's
# address, and discloses no record; random bytes on the query port and on the TLS port
# are survived and logged; a bounded flood (2000 connections on the query port, 1000
# on the TLS port against a ring of 500) leaves it serving, its ring full but bounded,
# and its memory (VmRSS) bounded.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sink_lib.sh"
skip_unless_root
quiet lab_up --profile clean
sink_start --capacity 500 --max-clients 32 --read-timeout-ms 1000

# A few real handshakes so there is something to disclose.
check_eq "handshakes through the clean lab" 3 "$(count_handshakes 3 blocked.test)"

# 1. The wrong token: 401, a log line naming the client, no data.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TEST_TMP/wrong.token"
status=$(sink_query "$TEST_TMP/wrong.token" "client=10.77.1.2" "$TEST_TMP/wrong.json")
check_eq "wrong token -> 401" 401 "$status"
check "no record in the refusal" not grep -q "10.77.1.2" "$TEST_TMP/wrong.json"
check "the refusal is logged with the peer" grep -q "refused /v1/connections from 10.77.1.2: wrong token" "$SINK_LOG"
status=$(lab_exec client curl -s --max-time 5 -o "$TEST_TMP/none.json" -w '%{http_code}' "${SINK_URL}/v1/connections" || true)
check_eq "no token -> 401" 401 "$status"
rc=0
lab_exec client "$SNIPROBE" diagnose blocked.test --json --ca-file "$LAB_CA" --no-trace --variants sni --trials 2 \
  --sink "$SINK_URL" --token-file "$TEST_TMP/wrong.token" >"$TEST_TMP/diag.json" 2>/dev/null || rc=$?
check_eq "diagnose with a wrong token still judges the client side (ok)" 0 "$rc"
check "diagnose reports the refusal" jq_true "$TEST_TMP/diag.json" '.sink.failure | test("401")'
check "and cites no sink evidence" not jq_true "$TEST_TMP/diag.json" '[.verdict.evidence[].id | select(startswith("E_SINK"))] | length > 0'

# 2. The right token gets the records of those handshakes.
status=$(sink_query "$SINK_TOKEN_FILE" "client=10.77.1.2" "$TEST_TMP/good.json")
check_eq "right token -> 200" 200 "$status"
check_ge "records of our handshakes with their SNI" 3 \
  "$(jq -r '[.connections[] | select(.client_hello.server_name=="blocked.test")] | length' "$TEST_TMP/good.json")"

# 3. Garbage and a bounded flood.
cat >"$TEST_TMP/flood.py" <<'PY'
import os, random, selectors, socket, sys, time
host, port, total, width, deadline_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
deadline = time.monotonic() + deadline_s
sel, opened, done = selectors.DefaultSelector(), 0, 0
while done < total and time.monotonic() < deadline:
    while opened < total and opened - done < width:
        s = socket.socket(); s.setblocking(False)
        try: s.connect((host, port))
        except BlockingIOError: pass
        sel.register(s, selectors.EVENT_WRITE); opened += 1
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        try:
            if random.random() < 0.5: s.send(os.urandom(random.randint(1, 3000)))
        except OSError: pass
        sel.unregister(s); s.close(); done += 1
print(done)
PY
garbage_before=$(grep -c "bad request" "$SINK_LOG" || true)
lab_exec client bash -c "head -c 2000 /dev/urandom > /dev/tcp/${SINK_ADDR}/${SINK_PORT}" || true
lab_exec client bash -c "printf '\x16\x03\x01\x00\x05garbage-not-a-hello' > /dev/tcp/${SINK_ADDR}/443" || true
check "garbage on the query port is logged" wait_for 5 bash -c "(( \$(grep -c 'bad request\|closed the connection mid-request\|sent no complete request' '$SINK_LOG') > $garbage_before ))"

rss_before=$(sink_rss_kb)
flooded=$(lab_exec client timeout 40 python3 "$TEST_TMP/flood.py" "$SINK_ADDR" "$SINK_PORT" 2000 200 30 || echo 0)
tls_flooded=$(lab_exec client timeout 40 python3 "$TEST_TMP/flood.py" "$SINK_ADDR" 443 1000 100 30 || echo 0)
check_ge "flood connections made to the query port" 2000 "$flooded"
check_ge "flood connections made to the TLS port" 1000 "$tls_flooded"
check "the sink survived" pid_alive "$SINK_PID"
check "it still answers its health check" wait_for 10 sink_healthy
# The flood's own requests may have emptied this address's bucket: retry, bounded.
authorized_query() { [[ $(sink_query "$SINK_TOKEN_FILE" "" "$TEST_TMP/after.json") == 200 ]]; }
status=000
wait_for 10 authorized_query && status=200
check_eq "and serves the right token after the flood" 200 "$status"
kept=$(jq -r '.connections | length' "$TEST_TMP/after.json" 2>/dev/null || echo -1)
check_eq "the ring holds exactly its capacity after 1000+ connections" 500 "$kept"
check_ge "the malformed hello on the TLS port is recorded as such" 1 \
  "$(jq -r '[.connections[] | select(.hello_anomaly != "")] | length' "$TEST_TMP/after.json" 2>/dev/null || echo 0)"
rss_after=$(sink_rss_kb)
echo "VmRSS before the flood ${rss_before} kB, after ${rss_after} kB"
check "RSS grew by less than 16 MiB (${rss_before} -> ${rss_after} kB)" test $((rss_after - rss_before)) -lt 16384
check "the flood's refusals are logged (throttled)" grep -q "refused a connection\|bad request\|suppressed" "$SINK_LOG"

sink_stop
check_eq "the sink stops cleanly on SIGTERM (128+15)" 143 "$SINK_RC"
check "with its counters" grep -q "sink: stopping" "$SINK_LOG"
finish
