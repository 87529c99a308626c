#!/usr/bin/env bash
# Records the RST fixtures of tests/data/pcap/ on throwaway namespaces (root):
#   client (10.91.1.2) -- router (10.91.1.1 | 10.91.2.1) -- server (10.91.2.2, openssl s_server)
# Each scenario runs one control handshake (ok.test) then two naming blocked.test,
# captured in the client namespace with dumpcap (snaplen 256, pcapng):
#   server_reset.pcapng    the server's own kernel resets (iptables REJECT tcp-reset)
#   injected_henan.pcapng  the router forges a Henan-like RST+ACK (inject_rst.py henan)
#   injected_gfw2.pcapng   the router forges a GFW-type-II-like burst of three RST+ACKs
# Everything is named sniprobe-cap-* and removed on exit, whatever happens.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
c=sniprobe-cap-c r=sniprobe-cap-r s=sniprobe-cap-s
work=$(mktemp -d /tmp/sniprobe-cap.XXXXXX)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for ns in $c $r $s; do ip netns del $ns 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for ns in $c $r $s; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add sniprobe-cap0 netns $c type veth peer name sniprobe-cap1 netns $r
ip link add sniprobe-cap2 netns $r type veth peer name sniprobe-cap3 netns $s
ip -n $c addr add 10.91.1.2/24 dev sniprobe-cap0; ip -n $c link set sniprobe-cap0 up
ip -n $r addr add 10.91.1.1/24 dev sniprobe-cap1; ip -n $r link set sniprobe-cap1 up
ip -n $r addr add 10.91.2.1/24 dev sniprobe-cap2; ip -n $r link set sniprobe-cap2 up
ip -n $s addr add 10.91.2.2/24 dev sniprobe-cap3; ip -n $s link set sniprobe-cap3 up
ip -n $c route add default via 10.91.1.1
ip -n $s route add default via 10.91.2.1
ip netns exec $r sysctl -qw net.ipv4.ip_forward=1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=ok.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 2>/dev/null
# s_server serves one connection at a time and hangs on a handshake whose ClientHello
# never arrived, so each scenario gets a fresh one.
server_start() {
  ip netns exec $s openssl s_server -quiet -accept 443 -cert "$work/cert.pem" -key "$work/key.pem" \
    -www >>"$work/server.log" 2>&1 &
  server=$!
  pids+=($server)
  for _ in $(seq 50); do ip netns exec $s ss -ltn | grep -q ':443 ' && break; sleep 0.1; done
}
server_stop() { kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; }

handshake() {  # name
  ip netns exec $c timeout 3 openssl s_client -connect 10.91.2.2:443 -servername "$1" </dev/null \
    >/dev/null 2>&1 || true
}

scenario() {  # file, setup-fn, teardown-fn
  local file=$1
  server_start
  ip netns exec $c dumpcap -q -i any -s 256 -f "tcp port 443" -w "$work/$file" 2>"$work/dumpcap.log" &
  local dumpcap=$!
  for _ in $(seq 50); do grep -q "Capturing on" "$work/dumpcap.log" 2>/dev/null && break; sleep 0.1; done
  "$2"
  handshake ok.test
  handshake blocked.test
  handshake blocked.test
  "$3"
  sleep 0.5  # let the last segments reach dumpcap before stopping it
  kill -INT $dumpcap; wait $dumpcap || true
  server_stop
  cp "$work/$file" "$out/$file"
  echo "recorded $out/$file: $(tshark -r "$out/$file" 2>/dev/null | wc -l) packets"
}

server_on() { ip netns exec $s iptables-nft -A INPUT -p tcp --dport 443 -m string --string blocked.test --algo bm -j REJECT --reject-with tcp-reset; }
server_off() { ip netns exec $s iptables-nft -F INPUT; }
inject_on() {
  ip netns exec $r iptables-nft -A FORWARD -p tcp --dport 443 -m string --string blocked.test --algo bm -j DROP
  ip netns exec $r python3 "$here/inject_rst.py" sniprobe-cap1 blocked.test "$1" 2 8 &
  injector=$!
  sleep 0.3  # the injector opens its AF_PACKET socket
}
inject_off() { wait $injector || true; ip netns exec $r iptables-nft -F FORWARD; }
henan_on() { inject_on henan; }
gfw2_on() { inject_on gfw2; }

scenario server_reset.pcapng server_on server_off
scenario injected_henan.pcapng henan_on inject_off
scenario injected_gfw2.pcapng gfw2_on inject_off
