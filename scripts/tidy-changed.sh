#!/usr/bin/env bash
# Runs clang-tidy 14 with the repo's .clang-tidy on the .cpp files a branch changed
# (ctest: style.tidy): the commits since the merge-base with origin/main when that ref
# exists and is behind HEAD, else the HEAD commit alone. Checking only changed files keeps it to seconds;
# the whole tree would take minutes. Any warning fails the test. Needs the compilation
# database of a configured build (argument 2, default build/asan: libraries, unit tests and
# fuzz targets); files that are not in it (deleted files) are left out. Outside a git checkout: exit 77 (skipped).
set -euo pipefail

source_dir=${1:-$(cd "$(dirname "$0")/.." && pwd)}
build_dir=${2:-$source_dir/build/asan}
k_per_file_timeout_s=${TIDY_FILE_TIMEOUT_S:-300}
cd "$source_dir"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "style.tidy: not a git checkout, skipped"
  exit 77
fi
database="$build_dir/compile_commands.json"
if [[ ! -f "$database" ]]; then
  echo "style.tidy: no $database (configure that build first)" >&2
  exit 1
fi
clang_tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [[ -z "$clang_tidy" ]]; then
  echo "style.tidy: clang-tidy is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi

# A fresh clone of main has origin/main at HEAD: nothing "since" it, so HEAD's own
# commit is what changed (for a merge, against its first parent).
if base=$(git merge-base origin/main HEAD 2>/dev/null) && [[ "$base" != "$(git rev-parse HEAD)" ]]; then
  what="since $(git rev-parse --short "$base") (merge-base with origin/main)"
  mapfile -t changed < <(git diff --name-only --diff-filter=d "$base" HEAD -- '*.cpp')
else
  what="in HEAD ($(git rev-parse --short HEAD))"
  mapfile -t changed < <(git diff-tree --root -m --first-parent --no-commit-id --name-only -r --diff-filter=d HEAD -- '*.cpp')
fi

files=()
for f in "${changed[@]}"; do
  abs="$source_dir/$f"
  grep -qF "\"file\": \"$abs\"" "$database" && files+=("$abs")
done
if ((${#files[@]} == 0)); then
  echo "style.tidy: no compiled .cpp changed $what"
  exit 0
fi

echo "style.tidy: ${#files[@]} file(s) changed $what"
# A whole-tree change (a reformat, a large merge) would take the better part of an hour:
# check the first TIDY_MAX_FILES and say that the rest went unchecked.
k_max_files=${TIDY_MAX_FILES:-24}
if ((${#files[@]} > k_max_files)); then
  echo "style.tidy: checking the first $k_max_files; $((${#files[@]} - k_max_files)) left unchecked (TIDY_MAX_FILES)"
  files=("${files[@]:0:k_max_files}")
fi
# Two at a time; each run is bounded so a pathological file cannot hang the test.
# xargs exits non-zero if any clang-tidy run did (a warning, an error or a timeout).
if ! printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P 2 \
    timeout "$k_per_file_timeout_s" "$clang_tidy" -p "$build_dir" --quiet --warnings-as-errors='*'; then
  echo "style.tidy: clang-tidy found problems (above)" >&2
  exit 1
fi
echo "style.tidy: clean"
