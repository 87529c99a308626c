#!/usr/bin/env bash
# Renders a committed JSON report (tests/data/html/NAME.json) with `sniprobe report
# --html` and checks the page in headless Chromium (check_report.py): no console error,
# no network request, no dialog, and the DOM shows what the JSON says. The screenshot and
# the A4 print land in the build tree. Usage: render_check.sh NAME [check_report.py args...]
set -euo pipefail
name="$1"
shift
SNIPROBE="${SNIPROBE:?SNIPROBE must point at the sniprobe binary}"
source_dir="${SNIPROBE_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
artifacts="${SNIPROBE_ARTIFACTS:-$(dirname "$SNIPROBE")/html-screenshots}"
fixture="$source_dir/tests/data/html/$name.json"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sniprobe-browser.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$artifacts"
"$SNIPROBE" report "$fixture" --html "$tmp/$name.html"
cp "$tmp/$name.html" "$artifacts/fixture-$name.html"
python3 "$source_dir/tests/browser/check_report.py" --name "$name" --json "$fixture" \
  --html "$tmp/$name.html" --screenshot "$artifacts/fixture-$name.png" \
  --pdf "$artifacts/fixture-$name.pdf" "$@"
