#!/usr/bin/env bash
# Fails when any tracked C++ file differs from what clang-format 14 makes of it with the
# repo's .clang-format (ctest: style.format). Formatting is version-sensitive, so the
# versioned binary is preferred; fix a failure with `make format`. Outside a git checkout
# (a source tarball) there is no list of tracked files: exit 77, which ctest counts as skipped.
set -euo pipefail

source_dir=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$source_dir"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "style.format: not a git checkout, skipped"
  exit 77
fi
clang_format=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z "$clang_format" ]]; then
  echo "style.format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi

mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp')
((${#files[@]} > 0)) || exit 0
# --Werror turns each would-be change into an error; output names file and line.
if ! printf '%s\0' "${files[@]}" | xargs -0 -n 50 -P 2 "$clang_format" --style=file --dry-run --Werror; then
  echo "style.format: files above are not clang-format clean; run 'make format'" >&2
  exit 1
fi
echo "style.format: ${#files[@]} files clean"
