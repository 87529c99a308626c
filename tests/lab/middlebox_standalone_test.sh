#!/usr/bin/env bash
# The middlebox on its own, without `sniprobe lab`: three namespaces
#   client (10.78.1.2) -- router (10.78.1.1 / 10.78.2.1, NFQUEUE + middlebox) -- server (10.78.2.2)
# with `openssl s_server` on 443 and a python HTTP server on 80. Checks what a user
# would: a stock `openssl s_client -servername blocked.test` is reset (ECONNRESET: the
# forged RST's sequence number was exact, or the kernel would have ignored it) while
# ok.test and no-SNI handshakes complete; the client's capture shows the RSTs with the
# rules' TTL and IP ID and relative seq 1 (the server's ISN + 1); plain HTTP with Host
# blocked.test gets the forged 403 `Server: Beaver` page while another Host gets the
# origin's 200. Skips (77) when not root. Every namespace, process and file is removed
# by the EXIT trap, whatever happens.
set -euo pipefail

if ((EUID != 0)); then
  echo "SKIP: needs root (network namespaces, NFQUEUE)"
  exit 77
fi
SNIPROBE="${SNIPROBE:?SNIPROBE must point at the sniprobe binary}"
tag="${SNIPROBE_LAB_INSTANCE:-$$}"
tag="${tag//[^a-zA-Z0-9]/}"
tag="${tag:0:8}"
ns_c="sniprobe-mbx-${tag}-c"
ns_r="sniprobe-mbx-${tag}-r"
ns_s="sniprobe-mbx-${tag}-s"
work=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-mbx.XXXXXX")
pids=()
failures=0

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "$ns_c" "$ns_r" "$ns_s"; do
    # Anything still running in a namespace we made is ours: stop it, then delete it.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

check() {  # check DESCRIPTION COMMAND...: run a check, report, count failures
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

wait_for_line() {  # wait_for_line FILE PATTERN SECONDS: a readiness check with a deadline
  local file="$1" pattern="$2" deadline=$((SECONDS + $3))
  until grep -q "$pattern" "$file" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# --- topology --------------------------------------------------------------------------
for ns in "$ns_c" "$ns_r" "$ns_s"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add "mbx${tag}c" type veth peer name "mbx${tag}rc"
ip link set "mbx${tag}c" netns "$ns_c" name eth0
ip link set "mbx${tag}rc" netns "$ns_r" name eth-c
ip link add "mbx${tag}s" type veth peer name "mbx${tag}rs"
ip link set "mbx${tag}s" netns "$ns_s" name eth0
ip link set "mbx${tag}rs" netns "$ns_r" name eth-s
ip -n "$ns_c" addr add 10.78.1.2/24 dev eth0
ip -n "$ns_r" addr add 10.78.1.1/24 dev eth-c
ip -n "$ns_r" addr add 10.78.2.1/24 dev eth-s
ip -n "$ns_s" addr add 10.78.2.2/24 dev eth0
for pair in "$ns_c eth0" "$ns_r eth-c" "$ns_r eth-s" "$ns_s eth0"; do
  set -- $pair; ip -n "$1" link set "$2" up
done
ip -n "$ns_c" route add default via 10.78.1.1
ip -n "$ns_s" route add default via 10.78.2.1
ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$ns_r" iptables-nft -t mangle -A PREROUTING -p tcp -m multiport --ports 80,443 \
  -m comment --comment sniprobe-mbx -j NFQUEUE --queue-num 0

# --- server side -----------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=ok.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
mkdir -p "$work/www" && echo "origin page" > "$work/www/index.html"
ip netns exec "$ns_s" openssl s_server -accept 443 -cert "$work/cert.pem" -key "$work/key.pem" -www -quiet \
  >"$work/s_server.log" 2>&1 &
pids+=($!)
ip netns exec "$ns_s" python3 -m http.server 80 --bind 10.78.2.2 --directory "$work/www" >"$work/http.log" 2>&1 &
pids+=($!)

# --- the middlebox -----------------------------------------------------------------------
cat >"$work/rules.toml" <<'EOF'
[[rule]]
name = "test-sni"
action = "rst_both"
probability = 1.0
mode = "on_path"
delay_ms = 1
[rule.match]
sni_exact = "blocked.test"
[rule.fingerprint]
count = 1
flags = "rst_ack"
ttl = 53
ip_id = "fixed:31415"

[[rule]]
name = "test-http"
action = "blockpage"
mode = "in_path"
[rule.match]
http_host = "blocked.test"
ports = [80]
[rule.fingerprint]
ttl = 53
ip_id = "fixed:31415"
EOF
"$SNIPROBE" middlebox --rules "$work/rules.toml" --check >/dev/null
ip netns exec "$ns_r" "$SNIPROBE" middlebox --rules "$work/rules.toml" --queue 0 --seed 1 2>"$work/middlebox.log" &
mbx_pid=$!
pids+=($mbx_pid)
wait_for_line "$work/middlebox.log" "middlebox ready" 10 || { cat "$work/middlebox.log"; echo "FAIL: middlebox not ready"; exit 1; }

# A capture in the client namespace; tshark says "Capturing on" once it listens.
ip netns exec "$ns_c" tshark -n -i eth0 -f "tcp port 443 or tcp port 80" -a duration:60 -w "$work/client.pcap" \
  >"$work/tshark.log" 2>&1 &
tshark_pid=$!
pids+=($tshark_pid)
wait_for_line "$work/tshark.log" "Capturing on" 15 || { cat "$work/tshark.log"; echo "FAIL: tshark"; exit 1; }
# Wait until the servers answer (bounded): the first handshake may race their startup.
deadline=$((SECONDS + 10))
until ip netns exec "$ns_c" timeout 2 openssl s_client -connect 10.78.2.2:443 -servername ok.test </dev/null \
  >/dev/null 2>&1; do
  ((SECONDS < deadline)) || { echo "FAIL: s_server never answered"; exit 1; }
  sleep 0.1
done

# --- checks --------------------------------------------------------------------------------
tls() {  # tls SNI-ARGS...: one stock handshake from the client namespace; prints openssl's output
  ip netns exec "$ns_c" timeout 5 openssl s_client -connect 10.78.2.2:443 "$@" </dev/null 2>&1
}
trials=5
reset=0; ok_sni=0; ok_none=0
for _ in $(seq "$trials"); do
  out=$(tls -servername blocked.test || true)
  grep -Eq "errno=104|Connection reset" <<<"$out" && reset=$((reset + 1))
  out=$(tls -servername ok.test || true)
  grep -q "Cipher is" <<<"$out" && ok_sni=$((ok_sni + 1))
  out=$(tls -noservername || true)
  grep -q "Cipher is" <<<"$out" && ok_none=$((ok_none + 1))
done
echo "blocked.test reset $reset/$trials, ok.test completed $ok_sni/$trials, no SNI completed $ok_none/$trials"
check "blocked.test handshakes are reset" test "$reset" -eq "$trials"
check "ok.test handshakes complete" test "$ok_sni" -eq "$trials"
check "no-SNI handshakes complete" test "$ok_none" -eq "$trials"

page=$(ip netns exec "$ns_c" curl -s -i --max-time 5 -H "Host: blocked.test" http://10.78.2.2/ || true)
check "HTTP Host blocked.test gets the forged 403" grep -q "^HTTP/1.1 403" <<<"$page"
check "the 403 says Server: Beaver" grep -q "^Server: Beaver" <<<"$page"
page=$(ip netns exec "$ns_c" curl -s --max-time 5 -H "Host: ok.test" http://10.78.2.2/ || true)
check "HTTP Host ok.test gets the origin's page" grep -q "origin page" <<<"$page"

# dumpcap hands packets to its file in batches; stopping it at once can lose the last
# batch. Wait (bounded) until the file holds an RST for every reset handshake.
deadline=$((SECONDS + 5))
until (($(tshark -n -r "$work/client.pcap" -Y "tcp.flags.reset == 1 && tcp.srcport == 443" 2>/dev/null |
  wc -l) >= reset)); do
  ((SECONDS < deadline)) || break
  sleep 0.1
done
kill -INT "$tshark_pid"; wait "$tshark_pid" 2>/dev/null || true
kill -USR1 "$mbx_pid"
wait_for_line "$work/middlebox.log" "packets=" 5 || true
rsts=$(tshark -n -r "$work/client.pcap" -Y "tcp.flags.reset == 1 && tcp.srcport == 443" \
  -T fields -e ip.ttl -e ip.id -e tcp.seq 2>/dev/null | sort | uniq -c)
echo "RSTs from :443 seen by the client (count ttl ip_id rel_seq):"; echo "$rsts"
forged=$(awk '$2 == 53 && $3 == "0x7ab7" && $4 == 1 {n += $1} END {print n + 0}' <<<"$rsts")
check "the client captured $trials RSTs with TTL 53, IP ID 31415, seq = server ISN + 1" test "$forged" -eq "$trials"
triggers=$(grep -c "trigger rule=test-sni" "$work/middlebox.log" || true)
check "one trigger line per blocked handshake ($triggers)" test "$triggers" -eq "$trials"

kill -TERM "$mbx_pid"; wait "$mbx_pid" 2>/dev/null || true
check "counters printed at exit" grep -q "triggers=" "$work/middlebox.log"
check "queue unbound at exit" bash -c "! ip netns exec $ns_r grep -qE '^ *0 +[1-9]' /proc/net/netfilter/nfnetlink_queue"
grep "middlebox:" "$work/middlebox.log" | tail -3

((failures == 0)) || { echo "$failures check(s) failed"; sed -n 1,40p "$work/middlebox.log"; exit 1; }
echo "PASS"
