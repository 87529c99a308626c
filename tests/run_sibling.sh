#!/usr/bin/env bash
# Runs a test binary from a sibling build (asan). Missing binary -> skipped (77),
# so a plain `ctest` in one build tree still reports honestly what it did not run.
bin="$1"; shift
if [[ ! -x "$bin" ]]; then
  echo "not built: $bin (build the sibling preset first, e.g. 'make test')"
  exit 77
fi
exec "$bin" "$@"
