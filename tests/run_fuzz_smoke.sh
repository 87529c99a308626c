#!/usr/bin/env bash
# Fuzz smoke: replays the seed corpus, then fuzzes for a few seconds (FUZZ_SECONDS, default
# 5): a regression check on every `make test`; real fuzzing is `make fuzz-long`.
# Any crash, sanitizer report or timeout fails the test.
set -u
bin="$1"; corpus="$2"; seconds="${FUZZ_SECONDS:-5}"
if [[ ! -x "$bin" ]]; then
  echo "not built: $bin (build the fuzz preset first, e.g. 'make test')"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
dirs=("$work")
[[ -d "$corpus" ]] && dirs+=("$corpus")
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" -print_final_stats=1 "${dirs[@]}"
