# shellcheck shell=bash
# Helpers for the diagnose scenario tests: run `sniprobe diagnose` in the lab's client
# namespace as a user would (JSON out, the lab's CA trusted) and assert on the verdict a
# user reads. Source after lib.sh.

# diagnose_json OUT TARGET [args...]: runs diagnose --json into OUT; returns its exit status.
diagnose_json() {
  local out="$1" target="$2"
  shift 2
  local rc=0
  lab_exec client "$SNIPROBE" diagnose "$target" --json --ca-file "$LAB_CA" "$@" >"$out" 2>"$out.stderr" || rc=$?
  return "$rc"
}

# jq_of FILE FILTER: one value from a report.
jq_of() { jq -r "$2" "$1"; }

# expect_verdict DESCRIPTION FILE CAUSE [SUBCODE]: checks verdict.cause (and subcode),
# and prints the verdict line and variant table when it does not match.
expect_verdict() {
  local what="$1" file="$2" cause="$3" subcode="${4:-}"
  local got
  got=$(jq_of "$file" '.verdict.cause')
  if [[ -n "$subcode" ]]; then
    got="$got/$(jq_of "$file" '.verdict.subcode // ""')"
    cause="$cause/$subcode"
  fi
  check_eq "$what" "$cause" "$got"
  if [[ "$got" != "$cause" ]]; then
    jq -c '.verdict | {cause, subcode, confidence, summary}' "$file" || cat "$file"
    jq -c '.variants[] | {name, trials, ok, failures}' "$file" || true
    cat "$file.stderr" || true
  fi
}
