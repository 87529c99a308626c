#!/usr/bin/env bash
# `make demo`: the story of DESIGN.md §1 in the lab, solved in one command. Brings up the
# lab with the `seed` middlebox profile (an on-path box that resets 90% of handshakes
# naming blocked.test), runs `sniprobe diagnose blocked.test` from the client namespace
# exactly as a user would, and always removes the lab again (EXIT trap).
# Usage: scripts/demo.sh path/to/sniprobe
set -euo pipefail

sniprobe="$(realpath "${1:?usage: scripts/demo.sh path/to/sniprobe}")"
instance=demo

if ((EUID != 0)); then
  echo "demo: the lab needs root (network namespaces, iptables, NFQUEUE): run 'sudo make demo'" >&2
  exit 3
fi
trap '"$sniprobe" lab down --instance "$instance" >/dev/null' EXIT

echo "== sniprobe lab up --profile seed   (client -> r1 -> r2 [middlebox] -> nginx 10.77.3.2)"
"$sniprobe" lab up --instance "$instance" --profile seed >/dev/null
ca="/run/sniprobe-lab-${instance}/pki/ca.pem"

echo "== sniprobe diagnose blocked.test   (from the client namespace)"
echo
rc=0
"$sniprobe" lab exec --instance "$instance" client -- "$sniprobe" diagnose blocked.test --ca-file "$ca" || rc=$?
echo
echo "(diagnose exit status $rc: 0 ok, 1 a problem was found)"
# The demo succeeded when diagnose ran and reported; its exit 1 is the finding itself.
((rc == 0 || rc == 1))
