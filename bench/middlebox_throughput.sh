#!/usr/bin/env bash
# How many packets per second the middlebox forwards without loss, rules loaded.
# Three namespaces like tests/lab/middlebox_standalone_test.sh (client -- router with
# NFQUEUE + `sniprobe middlebox --profile seed --fail-closed` -- server); one bulk TCP
# transfer to port 443 for DURATION seconds (bounded), with GSO limited to one segment
# per packet on both ends so every MSS-sized segment is its own queued packet (otherwise
# the queue sees 64 KiB super-packets and the figure would flatter us). Fail-closed, so a
# full queue shows up as loss (queue_dropped) instead of silently bypassing the box.
# Prints packets/s through the queue, the loss counters, and the transfer rate.
# Usage: bench/middlebox_throughput.sh SNIPROBE_BINARY [DURATION_SECONDS (default 5, max 30)] [STREAMS (default 4)]
set -euo pipefail
((EUID == 0)) || { echo "needs root"; exit 77; }
SNIPROBE="${1:?usage: $0 SNIPROBE_BINARY [SECONDS]}"
duration="${2:-5}"
streams="${3:-4}"
((streams >= 1 && streams <= 16)) || { echo "streams must be 1..16"; exit 2; }
((duration >= 1 && duration <= 30)) || { echo "duration must be 1..30 s"; exit 2; }
ns_c="sniprobe-mbx-bench-c"; ns_r="sniprobe-mbx-bench-r"; ns_s="sniprobe-mbx-bench-s"
work=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-mbx-bench.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "$ns_c" "$ns_r" "$ns_s"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

for ns in "$ns_c" "$ns_r" "$ns_s"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add mbxbc type veth peer name mbxbrc
ip link set mbxbc netns "$ns_c" name eth0; ip link set mbxbrc netns "$ns_r" name eth-c
ip link add mbxbs type veth peer name mbxbrs
ip link set mbxbs netns "$ns_s" name eth0; ip link set mbxbrs netns "$ns_r" name eth-s
ip -n "$ns_c" addr add 10.78.1.2/24 dev eth0
ip -n "$ns_r" addr add 10.78.1.1/24 dev eth-c
ip -n "$ns_r" addr add 10.78.2.1/24 dev eth-s
ip -n "$ns_s" addr add 10.78.2.2/24 dev eth0
for pair in "$ns_c eth0" "$ns_r eth-c" "$ns_r eth-s" "$ns_s eth0"; do
  set -- $pair; ip -n "$1" link set "$2" gso_max_segs 1 up
done
ip -n "$ns_c" route add default via 10.78.1.1
ip -n "$ns_s" route add default via 10.78.2.1
ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$ns_r" iptables-nft -t mangle -A PREROUTING -p tcp -m multiport --ports 80,443,8443 \
  -m comment --comment sniprobe-mbx -j NFQUEUE --queue-num 0

ip netns exec "$ns_r" "$SNIPROBE" middlebox --profile seed --fail-closed 2>"$work/mbx.log" &
mbx=$!; pids+=($mbx)
deadline=$((SECONDS + 10))
until grep -q "middlebox ready" "$work/mbx.log"; do ((SECONDS < deadline)) || exit 1; sleep 0.05; done

cat >"$work/sink.py" <<'EOF'
import socket, sys, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("10.78.2.2", 443)); srv.listen(64); print("listening", flush=True)
def drain(conn):
    while conn.recv(1 << 20): pass
    conn.close()
while True:
    conn, _ = srv.accept()
    threading.Thread(target=drain, args=(conn,), daemon=True).start()
EOF
cat >"$work/send.py" <<'EOF'
import socket, sys, time, os
secs, streams = float(sys.argv[1]), int(sys.argv[2])
t0 = time.monotonic(); children = []
for _ in range(streams):
    r, w = os.pipe(); pid = os.fork()
    if pid == 0:
        s = socket.create_connection(("10.78.2.2", 443), timeout=10); buf = bytes(65536); sent = 0
        while time.monotonic() - t0 < secs:
            s.sendall(buf); sent += len(buf)
        s.close(); os.write(w, str(sent).encode()); os._exit(0)
    os.close(w); children.append((pid, r))
total = 0
for pid, r in children:
    total += int(os.read(r, 64) or b"0"); os.waitpid(pid, 0)
print(f"{total} {time.monotonic() - t0:.3f}")
EOF
ip netns exec "$ns_s" python3 "$work/sink.py" >"$work/sink.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 10))
until grep -q listening "$work/sink.log"; do ((SECONDS < deadline)) || exit 1; sleep 0.05; done

read -r sent secs < <(ip netns exec "$ns_c" timeout $((duration + 20)) python3 "$work/send.py" "$duration" "$streams")
# CPU seconds the middlebox used (utime + stime): on a shared machine the wall-clock rate
# is bounded by what the scheduler gave us, so also report packets per CPU second.
ticks=$(getconf CLK_TCK)
cpu=$(awk -v t="$ticks" '{printf "%.3f", ($14 + $15) / t}' "/proc/$mbx/stat")
load=$(cut -d' ' -f1 /proc/loadavg)
kill -TERM "$mbx"; wait "$mbx" || true
packets=$(grep -o "packets=[0-9]*" "$work/mbx.log" | tail -1 | cut -d= -f2)
kernel=$(grep "kernel queue" "$work/mbx.log" | tail -1 || true)
[[ -n "$kernel" ]] || kernel=$(grep -o "queue_dropped=[0-9]* user_dropped=[0-9]*" "$work/mbx.log" | tail -1)
awk -v n="$streams" -v p="$packets" -v s="$secs" -v b="$sent" 'BEGIN {
  printf "middlebox (profile seed, fail-closed, %d streams): %d packets in %.2f s = %.0f packets/s through NFQUEUE; transfer %.1f Mbit/s\n",
         n, p, s, p / s, b * 8 / s / 1e6 }'
awk -v p="$packets" -v c="$cpu" -v l="$load" -v n="$(nproc)" 'BEGIN {
  printf "middlebox CPU: %.2f s -> %.0f packets per CPU second (load average %s on %d cores)\n", c, (c > 0 ? p / c : 0), l, n }'
echo "loss: $(grep -o "queue_dropped=[0-9]* user_dropped=[0-9]*" "$work/mbx.log" | tail -1)  (kernel: ${kernel})"
grep "middlebox: packets=" "$work/mbx.log" | tail -1
