# shellcheck shell=bash
# Shared helpers of the lab scenario tests (tests/lab/*_test.sh). Source it first:
#   source "$(dirname "$0")/lib.sh"; skip_unless_root; lab_up --profile seed; ...
# Each test runs in its own lab instance ($SNIPROBE_LAB_INSTANCE, set by ctest to
# t-<test>), so scenarios run side by side; an EXIT trap always runs `lab down` for that
# instance and removes the test's temp directory, whatever the outcome. Assertions
# print what a user would check and count failures; `finish` exits 1 if any failed.
set -euo pipefail

SNIPROBE="${SNIPROBE:?SNIPROBE must point at the sniprobe binary}"
LAB_INSTANCE="${SNIPROBE_LAB_INSTANCE:-t-$(basename "$0" .sh)}"
export SNIPROBE_LAB_INSTANCE="$LAB_INSTANCE"
LAB_STATE_DIR="/run/sniprobe-lab-${LAB_INSTANCE}"
LAB_CA="${LAB_STATE_DIR}/pki/ca.pem"
TEST_TMP=""
LAB_FAILURES=0
LAB_BG_PIDS=()

# Exit 77 (reported as skipped) unless root: the lab needs CAP_NET_ADMIN.
skip_unless_root() {
  if ((EUID != 0)); then
    echo "SKIP: the lab needs root (network namespaces, iptables, NFQUEUE)"
    exit 77
  fi
}

_lab_cleanup() {
  local rc=$? pid
  for pid in "${LAB_BG_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${LAB_BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((EUID == 0)); then
    "$SNIPROBE" lab down --instance "$LAB_INSTANCE" >/dev/null 2>&1 || rc=1
  fi
  [[ -n "$TEST_TMP" ]] && rm -rf "$TEST_TMP"
  exit "$rc"
}
trap _lab_cleanup EXIT
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-labtest.XXXXXX")

# Registers a background pid so the trap kills it if the test stops early.
track_pid() { LAB_BG_PIDS+=("$1"); }

# sniprobe lab up for this test's instance (extra args passed through).
lab_up() { "$SNIPROBE" lab up --instance "$LAB_INSTANCE" "$@"; }

# sniprobe lab down for this test's instance.
lab_down() { "$SNIPROBE" lab down --instance "$LAB_INSTANCE" "$@"; }

# Runs a command in a lab node: lab_exec client openssl s_client ...
lab_exec() {
  local node="$1"
  shift
  "$SNIPROBE" lab exec --instance "$LAB_INSTANCE" "$node" -- "$@"
}

# One stock TLS handshake from the client; exit 0 when it completes.
#   tls_handshake NAME [PORT] [extra s_client args...]   (NAME "-" = no SNI, to the server IP)
tls_handshake() {
  local name="$1" port="${2:-443}"
  shift $(($# < 2 ? $# : 2))
  local target=(-connect "${name}:${port}" -servername "$name")
  [[ "$name" == "-" ]] && target=(-connect "10.77.3.2:${port}" -noservername)
  timeout 10 "$SNIPROBE" lab exec --instance "$LAB_INSTANCE" client -- \
    openssl s_client "${target[@]}" -brief "$@" </dev/null >/dev/null 2>&1
}

# Counts completed handshakes out of N: count_handshakes N NAME [PORT] [args...]
count_handshakes() {
  local n="$1" ok=0 i
  shift
  for ((i = 0; i < n; i++)); do
    if tls_handshake "$@"; then ok=$((ok + 1)); fi
  done
  echo "$ok"
}

# Waits (bounded) until a command succeeds: wait_for SECONDS CMD...
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.02
  done
}

# `ip netns list` as this test may compare it before and after: other lab tests running
# side by side (instances t-*, the middlebox's sniprobe-mbx-*) are left out, our own
# instance is kept.
netns_snapshot() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -Ev '^sniprobe-(t-|mbx-)' || true
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^sniprobe-${LAB_INSTANCE}-" || true
}

# Runs a command quietly; its output is shown only when it fails.
quiet() {
  if "$@" >"$TEST_TMP/quiet.out" 2>&1; then return 0; fi
  cat "$TEST_TMP/quiet.out"
  return 1
}

# True when a process exists and is not a zombie (kill -0 succeeds on zombies, which
# PID 1 may reap late).
pid_alive() { [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

# What the instance still has on the machine (empty when nothing is left).
lab_leftovers() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^sniprobe-${LAB_INSTANCE}-" || true
  ls -d /etc/netns/sniprobe-"${LAB_INSTANCE}"-* 2>/dev/null || true
  [[ -e "$LAB_STATE_DIR" ]] && echo "$LAB_STATE_DIR"
  # Live processes only: a zombie has an empty command line.
  pgrep -af -- "$LAB_STATE_DIR" || true
}

# Assertions: check DESCRIPTION CMD... / check_eq DESCRIPTION EXPECTED ACTUAL /
# check_ge DESCRIPTION MIN ACTUAL
pass() { echo "ok   - $*"; }
failed() {
  echo "FAIL - $*"
  LAB_FAILURES=$((LAB_FAILURES + 1))
}
check() {
  local what="$1"
  shift
  if "$@"; then pass "$what"; else failed "$what"; fi
}
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1 ($3)"; else failed "$1: expected '$2', got '$3'"; fi
}
check_ge() {
  if (($3 >= $2)); then pass "$1 ($3 >= $2)"; else failed "$1: expected >= $2, got $3"; fi
}

# Negates a command, for check: check "nginx is gone" not pid_alive "$pid"
not() { ! "$@"; }

# Ends the test: exit 1 when any assertion failed.
finish() {
  if ((LAB_FAILURES > 0)); then
    echo "${LAB_FAILURES} check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}
