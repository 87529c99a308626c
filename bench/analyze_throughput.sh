#!/usr/bin/env bash
# How fast `sniprobe analyze` reads a large capture, and how much memory it holds.
# Builds a capture of about SIZE_MB (default 1024) in a temporary directory by
# replicating real flows from tests/data/realworld (the missing-intermediate handshakes:
# complete TLS 1.2 handshakes with certificates, a server reset, the second host), each
# replica on new client ports and followed by a bulk transfer of BULK server segments
# (default 400 x 1448 B) on its first connection, as real captures are mostly data.
# Then runs analyze once and prints capture MB/s (file size / wall time) and max RSS.
# Goal (issue 11): >= 200 MB/s with max RSS < 128 MiB.
# Usage: bench/analyze_throughput.sh SNIPROBE_BINARY [SIZE_MB (default 1024, max 4096)] [BULK]
#        bench/analyze_throughput.sh SNIPROBE_BINARY flows [FLOWS (default 200000)]
# The second form (many flows) writes FLOWS short flows, the same handshakes without bulk
# data (tests/perf/many_flows_pcap.py), and runs analyze twice, text and --json, printing
# MB/s, flows/s and max RSS for each: there the cost is per flow, not per byte.
# ANALYZE_BENCH_CAPTURE=/tmp/x.pcap keeps the generated capture there and reuses it on the
# next run (same arguments), so repeated runs time the analyser only; delete it after.
set -euo pipefail
SNIPROBE="${1:?usage: $0 SNIPROBE_BINARY [SIZE_MB] [BULK] | flows [FLOWS]}"
here="$(cd "$(dirname "$0")" && pwd)"
template="$here/../tests/data/realworld/zeek_tls-missing-intermediate.pcap"
work=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-analyze-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
capture="${ANALYZE_BENCH_CAPTURE:-$work/big.pcap}"

if [[ "${2:-}" == flows ]]; then
  flows="${3:-200000}"
  ((flows >= 1 && flows <= 1000000)) || { echo "FLOWS must be 1..1000000"; exit 2; }
  [[ -n "${ANALYZE_BENCH_CAPTURE:-}" && -s "$capture" ]] ||
    python3 "$here/../tests/perf/many_flows_pcap.py" "$template" "$capture" "$flows"
  bytes=$(stat -c %s "$capture")
  cat "$capture" > /dev/null
  for mode in text json; do
    args=(analyze "$capture")
    [[ $mode == json ]] && args+=(--json)
    start=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$work/rss" "$SNIPROBE" "${args[@]}" > "$work/out" || {
      rc=$?; ((rc == 1)) || { echo "analyze failed ($rc)"; exit 1; }
    }
    end=$(date +%s.%N)
    read -r rss_kib user_s sys_s < <(tail -1 "$work/rss")
    python3 - "$mode" "$bytes" "$start" "$end" "$rss_kib" "$user_s" "$sys_s" "$flows" \
      "$(stat -c %s "$work/out")" <<'PY'
import sys
mode, size, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rss, cpu = int(sys.argv[5]), float(sys.argv[6]) + float(sys.argv[7])
flows, report = int(sys.argv[8]), int(sys.argv[9])
secs = end - start
print(f"{mode:>4}: {size / 1e6:.0f} MB, {flows} flows in {secs:.2f} s = "
      f"{size / 1e6 / secs:.0f} MB/s, {flows / secs:.0f} flows/s; cpu {cpu:.2f} s "
      f"({size / 1e6 / max(cpu, 1e-9):.0f} MB per CPU second); max RSS {rss / 1024:.1f} MiB; "
      f"report {report / 1e6:.0f} MB")
PY
  done
  echo "goal: >= 200 MB/s, max RSS < 128 MiB"
  exit 0
fi

size_mb="${2:-1024}"
bulk="${3:-400}"
((size_mb >= 1 && size_mb <= 4096)) || { echo "SIZE_MB must be 1..4096"; exit 2; }
((bulk >= 0 && bulk <= 5000)) || { echo "BULK must be 0..5000"; exit 2; }

[[ -n "${ANALYZE_BENCH_CAPTURE:-}" && -s "$capture" ]] ||
python3 - "$template" "$capture" "$size_mb" "$bulk" <<'PY'
import struct, sys
template, out_path, size_mb, bulk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = open(template, 'rb').read()
header, frames, off = data[:24], [], 24
while off + 16 <= len(data):
    ts, us, cap, ln = struct.unpack('<IIII', data[off:off + 16]); off += 16
    frames.append((ts + us / 1e6, bytearray(data[off:off + cap]), ln)); off += cap
t_first = frames[0][0]
# The first server data segment of the first connection, to replicate as bulk data.
bulk_frame = next(f for f in frames if len(f[1]) > 1000)[1]
target = size_mb * 1024 * 1024
with open(out_path, 'wb') as out:
    out.write(header)
    written, replica, base_t = 24, 0, 1.0e9
    while written < target:
        shift = replica % 20000 + 1  # client ports shift per replica (reuse after 20000)
        t = base_t + replica * 30.0  # replicas 30 s apart: earlier flows expire
        chunks = []
        for ts, frame, ln in frames:
            f = bytearray(frame)
            ihl = (f[14] & 0x0f) * 4
            tcp = 14 + ihl
            if f[23] == 6 and len(f) >= tcp + 4:
                sport, dport = struct.unpack('>HH', f[tcp:tcp + 4])
                if dport == 443: sport = (sport + shift) % 65536
                else: dport = (dport + shift) % 65536
                f[tcp:tcp + 4] = struct.pack('>HH', sport, dport)
            rel = t + (ts - t_first)
            chunks.append(struct.pack('<IIII', int(rel), int((rel % 1) * 1e6), len(f), ln) + f)
        # Bulk data after the handshake, on the first connection, in sequence.
        f = bytearray(bulk_frame)
        ihl = (f[14] & 0x0f) * 4
        tcp = 14 + ihl
        sport, dport = struct.unpack('>HH', f[tcp:tcp + 4])
        f[tcp:tcp + 4] = struct.pack('>HH', sport, (dport + shift) % 65536)
        seq0 = struct.unpack('>I', f[tcp + 4:tcp + 8])[0] + 100000
        for i in range(bulk):
            f[tcp + 4:tcp + 8] = struct.pack('>I', (seq0 + i * 1448) % 2**32)
            rel = t + 10 + i * 0.001
            chunks.append(struct.pack('<IIII', int(rel), int((rel % 1) * 1e6), len(f), len(f)) + bytes(f))
        blob = b''.join(chunks)
        out.write(blob)
        written += len(blob)
        replica += 1
print(f"capture: {written / 1048576:.0f} MiB, {replica} replicas of 3 connections", file=sys.stderr)
PY

bytes=$(stat -c %s "$capture")
# Warm the page cache so the figure is the analyser's, not the disk's.
cat "$capture" > /dev/null
start=$(date +%s.%N)
/usr/bin/time -f "%M %U %S" -o "$work/rss" "$SNIPROBE" analyze --json "$capture" > "$work/out.json" || {
  rc=$?; ((rc == 1)) || { echo "analyze failed ($rc)"; exit 1; }
}
end=$(date +%s.%N)
read -r rss_kib user_s sys_s < <(tail -1 "$work/rss")
python3 - "$bytes" "$start" "$end" "$rss_kib" "$work/out.json" "$user_s" "$sys_s" <<'PY'
import json, sys
size, start, end, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cpu = float(sys.argv[6]) + float(sys.argv[7])
doc = json.load(open(sys.argv[5]))
secs = end - start
print(f"flows followed: {len(doc['flows'])}, names: {len(doc['names'])}")
print(f"analyze: {size / 1e6:.0f} MB in {secs:.2f} s = {size / 1e6 / secs:.0f} MB/s; "
      f"max RSS {rss / 1024:.1f} MiB")
# On a shared machine the wall time includes waiting for a core; CPU time does not.
print(f"cpu: {cpu:.2f} s (user + sys) = {size / 1e6 / max(cpu, 1e-9):.0f} MB per CPU second")
print("goal: >= 200 MB/s, max RSS < 128 MiB")
PY
