#!/usr/bin/env bash
# lab up / status / down as a user drives them: `up` twice is harmless (the second says
# it is already up), a different profile re-applies cleanly, status lists the nodes and
# the CA file, --middlebox-hop 3 adds r3, and `down` leaves the machine as it found it:
# the same `ip netns list` and root-namespace mangle table, no state directory, no
# /etc/netns entries, no nginx/middlebox/supervisor. Also times up+down (goal < 2 s).
source "$(dirname "$0")/lib.sh"
skip_unless_root

netns_before=$(netns_snapshot)
mangle_before=$(iptables-nft -t mangle -S)

t0=$(date +%s.%N)
check "lab up (seed)" quiet lab_up --profile seed
t1=$(date +%s.%N)
out=$(lab_up --profile seed) && rc=0 || rc=$?
check_eq "second identical up exits 0" 0 "$rc"
check "second identical up says it is already up" grep -q "already up" <<<"$out"

status=$("$SNIPROBE" lab status) && rc=0 || rc=$?
check_eq "status exit when up" 0 "$rc"
for node in client r1 r2 server; do
  check "status lists $node" grep -Eq "^  $node +sniprobe-${LAB_INSTANCE}-$node " <<<"$status"
done
check "status names the CA file" grep -q "CA file: *$LAB_CA" <<<"$status"
check "the CA file exists" test -s "$LAB_CA"
json=$("$SNIPROBE" lab status --json)
check_eq "status --json up" true "$(jq -r .up <<<"$json")"
check_eq "status --json profile" seed "$(jq -r .middlebox.profile <<<"$json")"
check_eq "status --json middlebox alive" true "$(jq -r .middlebox.process.alive <<<"$json")"
check_eq "status --json nginx alive" true "$(jq -r .nginx.alive <<<"$json")"
check "the root namespace did not get a lab interface" not grep -Eq 'to-(r1|client)' <(ip -o link)

out=$(lab_up --profile clean) && rc=0 || rc=$?
check_eq "up with another profile exits 0" 0 "$rc"
check_eq "the new profile is active" clean "$("$SNIPROBE" lab status --json | jq -r .middlebox.profile)"
check_eq "exactly one nginx runs for the instance" 1 "$(pgrep -f -c -- "-p $LAB_STATE_DIR/")"

t2=$(date +%s.%N)
check "lab down" quiet lab_down
t3=$(date +%s.%N)
check_eq "nothing left after down" "" "$(lab_leftovers)"
check_eq "ip netns list as before" "$netns_before" "$(netns_snapshot)"
check_eq "root mangle table as before" "$mangle_before" "$(iptables-nft -t mangle -S)"
"$SNIPROBE" lab status >/dev/null && rc=0 || rc=$?
check_eq "status exit when down" 3 "$rc"
check "down again is harmless" quiet lab_down

check "lab up --middlebox-hop 3 --profile none" quiet lab_up --middlebox-hop 3 --profile none
json=$("$SNIPROBE" lab status --json)
check_eq "hop 3 has five nodes" "client r1 r2 r3 server" "$(jq -r '[.nodes[].name] | join(" ")' <<<"$json")"
check_eq "hop 3 server address" 10.77.4.2 "$(jq -r .server.ipv4 <<<"$json")"
check "hop 3: http from the client reaches the server" lab_exec client curl -sf -m 5 -o /dev/null http://ok.test/
check "lab down (hop 3)" quiet lab_down
check_eq "nothing left after down (hop 3)" "" "$(lab_leftovers)"

if id nobody >/dev/null 2>&1; then
  out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
    "$SNIPROBE" lab up 2>&1) && rc=0 || rc=$?
  check_eq "not root: exit 3" 3 "$rc"
  check "not root: one clear line" grep -q "^sniprobe: the lab needs root (CAP_NET_ADMIN" <<<"$out"
fi

awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
  'BEGIN { printf "timing: lab up %.2f s, lab down %.2f s (goal: up + down < 2 s)\n", b - a, d - c }'
finish
