#!/usr/bin/env bash
# Benchmark (not a test): wall time of `lab up` + `lab down`, and of a default
# `diagnose` in the seed and drop scenarios, each repeated N times; prints min/median/max.
# Usage: bench/lab_and_diagnose.sh path/to/sniprobe [N]     (root; uses lab instance "bench")
set -euo pipefail
sniprobe="$(realpath "${1:?usage: bench/lab_and_diagnose.sh path/to/sniprobe [N]}")"
n="${2:-5}"
inst=bench
((EUID == 0)) || { echo "needs root (the lab)" >&2; exit 3; }
trap '"$sniprobe" lab down --instance "$inst" >/dev/null 2>&1 || true' EXIT

now() { date +%s.%N; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "min %.2f s  median %.2f s  max %.2f s  (n=%d)\n", a[1], a[int((NR+1)/2)], a[NR], NR}'; }

updown=()
for ((i = 0; i < n; i++)); do
  t0=$(now); "$sniprobe" lab up --instance "$inst" --profile seed >/dev/null
  "$sniprobe" lab down --instance "$inst" >/dev/null; t1=$(now)
  updown+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
done
printf 'lab up + down (seed)            '; printf '%s\n' "${updown[@]}" | stats

for profile in seed drop; do
  "$sniprobe" lab up --instance "$inst" --profile "$profile" >/dev/null
  times=()
  for ((i = 0; i < n; i++)); do
    t0=$(now)
    "$sniprobe" lab exec --instance "$inst" client -- "$sniprobe" diagnose blocked.test --no-trace \
      --ca-file "/run/sniprobe-lab-${inst}/pki/ca.pem" >/dev/null 2>&1 || true
    t1=$(now); times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
  done
  printf 'diagnose blocked.test (%-5s)   ' "$profile"; printf '%s\n' "${times[@]}" | stats
  "$sniprobe" lab down --instance "$inst" >/dev/null
done
echo "(diagnose defaults: 10 trials x 10 variants, timeout 4000 ms, --no-trace; the drop goal is timeout + 2 s)"
