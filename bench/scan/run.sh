#!/usr/bin/env bash
# Benchmark of `sniprobe scan` against the tools people use for the same job, all
# measured in one run against one loopback nginx pinned to one core (taskset -c 0), the
# clients pinned to another (taskset -c 1): sniprobe ClientHello probes (stop at the
# ServerHello), sniprobe --full handshakes, h2load (nghttp2-client, one request per
# connection), `openssl s_time -new` (sequential, time-bounded) and a Python asyncio ssl
# client. For each: handshakes (or probes) per second, client CPU per handshake
# (getrusage of the children: user+sys), server CPU per handshake (/proc/PID/stat of the
# nginx worker), client peak RSS; then ratios against sniprobe's ClientHello probe.
# NOT a test: the machine is shared and noisy, wall-clock rates move from run to run;
# CPU time per handshake is the more robust figure, and ratios within one run the most.
# Every step is bounded in count and time; nginx and the temp dir go away in a trap.
# Throughput: the server-saturated rate is what the server core could serve of this
# client's probes if it did nothing else (1 / server CPU per probe); a client that keeps
# the server busy gets close to it (ratio = rate / saturated rate).
# BASELINE=OTHER_SNIPROBE_BINARY adds that binary's ClientHello and --full runs to the same
# run (before/after comparisons on a machine whose load moves between runs).
# Usage: bench/scan/run.sh SNIPROBE_BINARY [HANDSHAKES (default 3000, max 20000)] [CONCURRENCY (default 64)]
set -euo pipefail
SNIPROBE="$(realpath "${1:?usage: $0 SNIPROBE_BINARY [HANDSHAKES] [CONCURRENCY]}")"
N="${2:-3000}"
C="${3:-64}"
((N >= 100 && N <= 20000)) || { echo "HANDSHAKES must be 100..20000"; exit 2; }
((C >= 1 && C <= 1000)) || { echo "CONCURRENCY must be 1..1000"; exit 2; }
HERE="$(cd "$(dirname "$0")" && pwd)"
NGINX=/usr/sbin/nginx
for tool in "$NGINX" h2load openssl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (scripts/setup.sh installs it)"; exit 2; }
done
SERVER_CPU=0
CLIENT_CPU=$(($(nproc) > 1 ? 1 : 0))
((CLIENT_CPU == 0)) && echo "note: one CPU only; client and server share it"

work=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-scan-bench.XXXXXX")
nginx_pid=""
cleanup() {
  if [[ -n "$nginx_pid" ]]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the server: nginx, one worker, ECDSA P-256 self-signed cert, pinned to one core ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj /CN=bench.test \
  -addext subjectAltName=DNS:bench.test,DNS:*.bench.test >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log crit;
events { worker_connections 30000; }
worker_rlimit_nofile 65536;
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$PORT ssl backlog=8192;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "ok\n"; }
  }
}
CONF
taskset -c "$SERVER_CPU" "$NGINX" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 1 200); do  # bounded readiness check: up to ~10 s
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; then break; fi
  sleep 0.05
done
workers=$(pgrep -P "$nginx_pid" | paste -sd, -)
[[ -n "$workers" ]] || { echo "nginx did not start:"; cat "$work/error.log"; exit 3; }

for i in $(seq 1 "$N"); do echo "n$i.bench.test"; done >"$work/names.txt"
results="$work/results.jsonl"
measure() {  # measure NAME CMD... -> appends {"tool": NAME, ...} to results
  local name="$1"
  shift
  echo "running: $name" >&2
  python3 "$HERE/measure.py" --server-pids "$workers" --timeout 120 -- taskset -c "$CLIENT_CPU" "$@" |
    python3 -c "import json,sys; r=json.load(sys.stdin); r['tool']='$name'; print(json.dumps(r))" >>"$results"
}

scan=("$SNIPROBE" scan --ip 127.0.0.1 --port "$PORT" --names "$work/names.txt" --trials 1
  --control-trials 1 --concurrency "$C" --quiet --output "$work/scan.jsonl")
measure "sniprobe scan (ClientHello)" "${scan[@]}"
measure "sniprobe scan --full" "${scan[@]}" --full
if [[ -n "${BASELINE:-}" ]]; then
  base=("$(realpath "$BASELINE")" "${scan[@]:1}")
  measure "baseline scan (ClientHello)" "${base[@]}"
  measure "baseline scan --full" "${base[@]}" --full
fi
measure "h2load (1 req/conn)" h2load --h1 -n "$N" -c "$N" -t 1 "https://127.0.0.1:$PORT/"
measure "python asyncio ssl" python3 "$HERE/asyncio_client.py" 127.0.0.1 "$PORT" "$N" "$C"
measure "openssl s_time -new (5 s)" openssl s_time -connect "127.0.0.1:$PORT" -new -time 5
# Memory at scale: 10,000 ClientHello probes in flight at once (one loopback listener;
# nginx's backlog and worker_connections are sized for it), peak RSS of the client.
for i in $(seq 1 10000); do echo "m$i.bench.test"; done >"$work/names10k.txt"
measure "sniprobe scan 10k in flight" "$SNIPROBE" scan --ip 127.0.0.1 --port "$PORT" \
  --names "$work/names10k.txt" --trials 1 --control-trials 1 --concurrency 10000 \
  --per-address 10000 --timeout-ms 20000 --quiet --output "$work/scan10k.jsonl"

python3 - "$results" "$N" "$C" <<'PY'
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
n, c = sys.argv[2], sys.argv[3]

def handshakes(r):
    out, err, tool = r["stdout"], r["stderr"], r["tool"]
    if tool.startswith("sniprobe") or tool.startswith("baseline"):
        m = re.search(r"(\d+) probes", err)
        return int(m.group(1)) if m else 0
    if tool.startswith("h2load"):
        m = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded", out)
        return int(m.group(1)) if m else 0
    if tool.startswith("openssl"):
        m = re.search(r"(\d+) connections in [\d.]+s", out)
        return int(m.group(1)) if m else 0
    try:
        return int(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return 0

for r in rows:
    r["hs"] = handshakes(r)
    hs = max(r["hs"], 1)
    r["rate"] = r["hs"] / r["wall_s"] if r["wall_s"] > 0 else 0
    r["ccpu"] = r["client_cpu_s"] / hs * 1e6
    r["scpu"] = r["server_cpu_s"] / hs * 1e6
base = rows[0]
print(f"\nloopback nginx (1 worker, core 0), clients on core 1; N={n}, concurrency={c}")
print("shared, noisy machine: rates move between runs; CPU per handshake and the ratios are steadier\n")
hdr = f"{'client':28} {'done':>6} {'rc':>3} {'wall s':>7} {'hs/s':>7} {'client us/hs':>12} {'server us/hs':>12} {'RSS MB':>7} {'client CPU x':>12} {'server CPU x':>12} {'sat. x':>7}"
print(hdr)
print("-" * len(hdr))
for r in rows:
    cx = r["ccpu"] / base["ccpu"] if base["ccpu"] else 0
    sx = r["scpu"] / base["scpu"] if base["scpu"] else 0
    r["sat"] = r["rate"] * r["scpu"] / 1e6  # rate / (1e6 / server us per handshake)
    print(f"{r['tool']:28} {r['hs']:>6} {r['rc']:>3} {r['wall_s']:>7.2f} {r['rate']:>7.0f} {r['ccpu']:>12.0f} "
          f"{r['scpu']:>12.0f} {r['client_maxrss_kb']/1024:>7.1f} {cx:>12.2f} {sx:>12.2f} {r['sat']:>7.2f}")
print("\nclient/server CPU x: per-handshake CPU relative to 'sniprobe scan (ClientHello)' (1.00).")
print("sat. x: rate / server-saturated rate (1e6 / server us per handshake): 1.00 = the server core was never idle.")

# The goals of the forged-hello engine (same run, same server).
by = {r["tool"]: r for r in rows}
probe, full, h2 = by.get("sniprobe scan (ClientHello)"), by.get("sniprobe scan --full"), by.get("h2load (1 req/conn)")
big = by.get("sniprobe scan 10k in flight")
def goal(label, value, limit, unit=""):
    verdict = "met" if value <= limit else "NOT met"
    print(f"  {label:48} {value:10.2f}{unit:4} goal <= {limit}{unit}  {verdict}")
print("\ngoals:")
if probe:
    goal("ClientHello probe, client CPU per probe", probe["ccpu"], 60, " us")
if probe and h2 and h2["ccpu"]:
    goal("ClientHello probe / h2load handshake (client CPU)", probe["ccpu"] / h2["ccpu"], 0.1, " x")
if probe and probe["scpu"]:
    sat = probe["sat"]
    print(f"  {'ClientHello probes / server-saturated rate':48} {sat:10.2f} x   goal >= 0.95 x  "
          f"{'met' if sat >= 0.95 else 'NOT met'}")
if full and h2 and h2["ccpu"]:
    goal("--full handshake / h2load handshake (client CPU)", full["ccpu"] / h2["ccpu"], 0.6, " x")
for name in ("baseline scan (ClientHello)", "baseline scan --full"):
    b = by.get(name)
    if b and h2 and h2["ccpu"]:
        print(f"  {name + ' / h2load (client CPU)':48} {b['ccpu'] / h2['ccpu']:10.2f} x   "
              f"({b['ccpu']:.0f} us; sat. {b['sat']:.2f} x)")
if big:
    goal("RSS with 10,000 probes in flight", big["client_maxrss_kb"] / 1024, 256, " MiB")
    print(f"  {'(10k run: probes done, wall s)':48} {big['hs']:10d}     {big['wall_s']:.1f} s")
print("RSS: peak resident set of the largest process of that client (ru_maxrss of its process tree).")
PY
