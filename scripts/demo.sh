#!/usr/bin/env bash
# `make demo`: the story of DESIGN.md §1 in the lab. Brings up the lab with the `seed`
# middlebox profile, runs 20 stock `openssl s_client` handshakes naming blocked.test
# beside 20 without SNI from the client namespace, prints the counts side by side, and
# always removes the lab again (EXIT trap). Usage: scripts/demo.sh path/to/sniprobe
set -euo pipefail

sniprobe="$(realpath "${1:?usage: scripts/demo.sh path/to/sniprobe}")"
instance=demo
trials=20

if ((EUID != 0)); then
  echo "demo: the lab needs root (network namespaces, iptables, NFQUEUE): run 'sudo make demo'" >&2
  exit 3
fi
trap '"$sniprobe" lab down --instance "$instance" >/dev/null' EXIT

"$sniprobe" lab up --instance "$instance" --profile seed

# One stock handshake from the client namespace; prints "ok" or why it failed.
handshake() {
  local out
  if out=$(timeout 10 "$sniprobe" lab exec --instance "$instance" client -- \
    openssl s_client -connect 10.77.3.2:443 "$@" -brief </dev/null 2>&1); then
    echo ok
  elif grep -q "errno=104" <<<"$out"; then
    echo reset
  else
    echo failed
  fi
}

declare -A sni=([ok]=0 [reset]=0 [failed]=0) nosni=([ok]=0 [reset]=0 [failed]=0)
for ((i = 0; i < trials; i++)); do
  r=$(handshake -servername blocked.test); sni[$r]=$((sni[$r] + 1))
  r=$(handshake -noservername); nosni[$r]=$((nosni[$r] + 1))
done

echo
echo "$trials stock handshakes each, client -> r1 -> r2 (middlebox: seed) -> nginx 10.77.3.2:443"
printf '  %-34s %6s %6s %7s\n' "" completed reset other
printf '  %-34s %6d %6d %7d\n' "SNI blocked.test" "${sni[ok]}" "${sni[reset]}" "${sni[failed]}"
printf '  %-34s %6d %6d %7d\n' "no SNI (like curl -k https://ip)" "${nosni[ok]}" "${nosni[reset]}" "${nosni[failed]}"
echo
echo "Same server, same address: only the handshakes that name blocked.test are reset."
