#!/usr/bin/env bash
# The story of DESIGN.md §1 in the lab, with stock tools: under the `seed` profile, 20
# `openssl s_client -servername blocked.test` from the client are mostly reset (>= 12 of
# 20; the profile fires with probability 0.9) while ok.test and no-SNI handshakes
# complete 20 of 20. A capture in the client namespace shows the forged RSTs with the
# profile's TTL (minus the routers between the middlebox and the client) and IP ID, read
# from the active rules file rather than hard-coded; nginx's info log shows the reset
# lines of DESIGN.md §6 (the server was reset too). Under `drop`, the handshake times out.
source "$(dirname "$0")/lib.sh"
skip_unless_root

check "lab up --profile seed" quiet lab_up --profile seed
rules="$LAB_STATE_DIR/rules.toml"
ttl_sent=$(sed -n 's/^ttl *= *\([0-9]*\).*/\1/p' "$rules" | head -1)
ip_id=$(sed -n 's/^ip_id *= *"fixed:\([0-9]*\)".*/\1/p' "$rules" | head -1)
hop=$("$SNIPROBE" lab status --json | jq -r .middlebox.hop)
check "the seed rules name a TTL and a fixed IP ID" test -n "$ttl_sent" -a -n "$ip_id"
ttl_seen=$((ttl_sent - (hop - 1)))

# Capture RSTs on 443 in the client namespace, bounded by -a duration; wait until
# tshark reports it is capturing before sending anything.
pcap="$TEST_TMP/client.pcap"
"$SNIPROBE" lab exec client -- tshark -q -i any -f 'tcp port 443 and tcp[tcpflags] & tcp-rst != 0' \
  -a duration:60 -w "$pcap" >"$TEST_TMP/tshark.log" 2>&1 &
tshark_pid=$!
track_pid "$tshark_pid"
check "tshark is capturing in the client namespace" wait_for 20 grep -q "Capturing on" "$TEST_TMP/tshark.log"

blocked_ok=$(count_handshakes 20 blocked.test)
control_ok=$(count_handshakes 20 ok.test)
nosni_ok=$(count_handshakes 20 -)
echo "handshakes completed of 20: blocked.test $blocked_ok, ok.test $control_ok, no SNI $nosni_ok"
check_ge "blocked.test reset in most handshakes (resets)" 12 $((20 - blocked_ok))
check_eq "ok.test completes every time" 20 "$control_ok"
check_eq "no SNI completes every time" 20 "$nosni_ok"

# dumpcap hands packets to its file in batches; wait (bounded) until the file holds an
# RST for every reset handshake before stopping it, or the last batch is lost.
enough_rsts_in_file() {
  (($(tshark -r "$pcap" -Y "tcp.flags.reset == 1 && ip.src == 10.77.3.2" 2>/dev/null | wc -l) >= 20 - blocked_ok))
}
wait_for 5 enough_rsts_in_file || true
kill -INT "$tshark_pid" 2>/dev/null || true
wait "$tshark_pid" 2>/dev/null || true
fields=$(tshark -r "$pcap" -Y "tcp.flags.reset == 1 && ip.src == 10.77.3.2" -T fields -e ip.ttl -e ip.id 2>/dev/null |
  sort | uniq -c | sort -rn)
echo "RSTs from 10.77.3.2 seen by the client (count ttl ip.id):"
echo "$fields"
rst_count=$(awk '{n += $1} END {print n + 0}' <<<"$fields")
forged=0
while read -r count ttl id; do
  [[ -n "$count" && "$ttl" == "$ttl_seen" && $((id)) == "$ip_id" ]] && forged=$((forged + count))
done <<<"$fields"
check_ge "the capture shows an RST for every reset handshake" $((20 - blocked_ok)) "$rst_count"
check_eq "every RST carries the profile's TTL ($ttl_seen) and IP ID ($ip_id)" "$rst_count" "$forged"

log="$LAB_STATE_DIR/nginx-error.log"
check "nginx's log shows the server side of the reset" grep -Eq \
  "peer closed connection in SSL handshake|Connection reset by peer\) while SSL handshaking|client closed connection while SSL handshaking" "$log"

check "lab up --profile drop" quiet lab_up --profile drop
start=$SECONDS
timeout 4 "$SNIPROBE" lab exec client -- openssl s_client -connect blocked.test:443 -servername blocked.test \
  -brief </dev/null >/dev/null 2>&1 && rc=0 || rc=$?
check_eq "drop: the blocked.test handshake hangs until the timeout" 124 "$rc"
check "drop: it took the whole timeout" test $((SECONDS - start)) -ge 3
check "drop: ok.test still completes" tls_handshake ok.test
finish
