#!/usr/bin/env bash
# A lab whose builder dies must not stay behind: `lab up` SIGKILLed mid-way (and the
# supervisor SIGKILLed after a finished `up`) -> the next `lab down` removes everything;
# `lab up` interrupted with SIGINT mid-way, or failing at a step, tears down by itself,
# with no `down` at all.
# "Mid-way" is made deterministic without sleeps: the test waits until the instance's
# first namespace exists, then stops `up` (SIGSTOP) before signalling it.
source "$(dirname "$0")/lib.sh"
skip_unless_root

first_netns="/run/netns/sniprobe-${LAB_INSTANCE}-client"

# Starts `lab up` in the background (a child of this shell, so `wait` gets its status)
# and stops it as soon as building has begun; sets $up_pid, or clears it when `up`
# finished (or died) before it could be caught.
up_pid=""
start_and_catch_up() {
  "$SNIPROBE" lab up --instance "$LAB_INSTANCE" --profile seed >"$TEST_TMP/up.out" 2>&1 &
  up_pid=$!
  track_pid "$up_pid"
  if ! wait_for 10 test -e "$first_netns" || ! kill -STOP "$up_pid" 2>/dev/null; then
    up_pid=""
  fi
}

# 1. SIGKILL mid-way, then down.
start_and_catch_up
pid="$up_pid"
check "caught lab up mid-way (SIGKILL case)" test -n "$pid"
if [[ -n "$pid" ]]; then
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  check "a killed up leaves something for down to find" test -n "$(lab_leftovers)"
  check "lab down after a killed up" quiet lab_down
  check_eq "nothing left after down" "" "$(lab_leftovers)"
fi

# 2. A finished up, then the supervisor killed: nginx/middlebox are orphans in the
#    namespaces; status notices; down removes them.
check "lab up" quiet lab_up --profile seed
supervisor=$("$SNIPROBE" lab status --json | jq -r .supervisor.pid)
nginx=$("$SNIPROBE" lab status --json | jq -r .nginx.pid)
check "supervisor pid known" test "$supervisor" -gt 0
kill -KILL "$supervisor"
wait_for 5 not pid_alive "$supervisor" || true
"$SNIPROBE" lab status >/dev/null && rc=0 || rc=$?
check_eq "status is not up without the supervisor" 3 "$rc"
check "nginx outlived its supervisor (down must kill it)" pid_alive "$nginx"
out=$(lab_up --profile seed) && rc=0 || rc=$?
check_eq "up over the remains of a killed lab" 0 "$rc"
check "it rebuilt rather than reused" not grep -q "already up" <<<"$out"
check "the orphan nginx is gone" not pid_alive "$nginx"
check "lab down" quiet lab_down
check_eq "nothing left after down" "" "$(lab_leftovers)"

# 3. SIGINT mid-way: up tears down by itself and exits 130.
start_and_catch_up
pid="$up_pid"
check "caught lab up mid-way (SIGINT case)" test -n "$pid"
if [[ -n "$pid" ]]; then
  kill -INT "$pid"
  kill -CONT "$pid"
  wait "$pid" && rc=0 || rc=$?
  check_eq "interrupted up exits 130" 130 "$rc"
  check "it says so" grep -q "interrupted" "$TEST_TMP/up.out"
  check_eq "nothing left after an interrupted up (no down)" "" "$(lab_leftovers)"
fi

# 4. A step that fails (nginx refuses to start): one clear line, exit 3, nothing left.
mkdir -p "$TEST_TMP/bin"
printf '#!/bin/sh\necho "nginx: [emerg] refused by the test" >&2\nexit 1\n' >"$TEST_TMP/bin/nginx"
chmod +x "$TEST_TMP/bin/nginx"
out=$(PATH="$TEST_TMP/bin:$PATH" "$SNIPROBE" lab up --instance "$LAB_INSTANCE" --profile seed 2>&1) && rc=0 || rc=$?
check_eq "a failing up exits 3" 3 "$rc"
check_eq "with one line" 1 "$(wc -l <<<"$out")"
check "that says why" grep -q "nginx exited at start.*refused by the test" <<<"$out"
check_eq "nothing left after a failed up (no down)" "" "$(lab_leftovers)"
finish
