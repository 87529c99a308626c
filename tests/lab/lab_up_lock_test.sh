#!/usr/bin/env bash
# Two `lab up` on one instance at once would build the same namespaces twice and tear
# each other's down. While one holds the instance's lock (here: flock(1) on the lock file,
# so the contention is certain, not a race to win), a second `up` must refuse at once
# with an error that says why, touch nothing, and exit 3; once the lock is free, `up`
# works and leaves no lock file behind.
source "$(dirname "$0")/lib.sh"
skip_unless_root

lock="/run/sniprobe-lab-${LAB_INSTANCE}.lock"
out="$TEST_TMP/up.out"
rc=0
flock --nonblock "$lock" "$SNIPROBE" lab up --instance "$LAB_INSTANCE" --profile none >"$out" 2>&1 || rc=$?
check_eq "up while another up holds the instance exits 3" 3 "$rc"
check "the error names the other lab up" grep -q "another 'sniprobe lab up' is building lab instance '${LAB_INSTANCE}'" "$out"
check "the error names the lock file" grep -qF "$lock" "$out"
check_eq "the refused up built nothing" "" "$(lab_leftovers)"
[[ $rc -eq 3 ]] || cat "$out"

check "up once the lock is free" quiet lab_up --profile none
check "no lock file is left after up" not test -e "$lock"
check "lab down" quiet lab_down
check_eq "nothing left after down" "" "$(lab_leftovers)"
finish
