# shellcheck shell=bash
# Browser check of a lab run's HTML report: loads the page in headless Chromium
# (tests/browser/check_report.py), compares what it shows with the run's JSON report,
# and keeps a screenshot and an A4 print under the build tree for people and CI to look
# at. Source after lib.sh.

HTML_ARTIFACTS="${SNIPROBE_ARTIFACTS:-$(dirname "$SNIPROBE")/html-screenshots}"

# browser_check NAME JSON HTML [check_report.py args...]: one assertion, "the page passes".
browser_check() {
  local name="$1" json="$2" html="$3"
  shift 3
  mkdir -p "$HTML_ARTIFACTS"
  cp "$html" "$HTML_ARTIFACTS/$name.html"
  cp "$json" "$HTML_ARTIFACTS/$name.json"
  if python3 "$SNIPROBE_SOURCE/tests/browser/check_report.py" --name "$name" --json "$json" \
    --html "$html" --screenshot "$HTML_ARTIFACTS/$name.png" --pdf "$HTML_ARTIFACTS/$name.pdf" \
    "$@" >"$TEST_TMP/browser-$name.out" 2>&1; then
    pass "the HTML report of $name passes the browser checks"
  else
    cat "$TEST_TMP/browser-$name.out"
    failed "the HTML report of $name passes the browser checks"
  fi
}
