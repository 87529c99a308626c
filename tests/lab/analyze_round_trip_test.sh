#!/usr/bin/env bash
# Round trip (issue 11): `diagnose --pcap F` then `analyze F` must reach the same verdict
# from the capture alone. The seed profile (an on-path box resets blocked.test) and a
# server that resets by itself (the verdict must stay server_reset, never sni_reset).
# analyze reads the pcapng diagnose wrote (Linux cooked frames, snap length 256, so the
# ClientHellos are cut: the SNI must still be read).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root

# round_trip LABEL: diagnose blocked.test with --pcap, analyze the file, compare.
round_trip() {
  local label="$1"
  diagnose_json "$TEST_TMP/$label.json" blocked.test --no-trace --pcap "$TEST_TMP/$label.pcapng" || true
  local rc=0
  "$SNIPROBE" analyze --json "$TEST_TMP/$label.pcapng" >"$TEST_TMP/$label.analyze.json" \
    2>"$TEST_TMP/$label.analyze.stderr" || rc=$?
  check "analyze exits 0 or 1 ($rc)" test "$rc" -le 1
  local want got
  want=$(jq_of "$TEST_TMP/$label.json" '.verdict.cause')
  got=$(jq_of "$TEST_TMP/$label.analyze.json" '.names[] | select(.name=="blocked.test") | .diagnosis.verdict.cause')
  check_eq "$label: analyze gives diagnose's verdict" "$want" "$got"
  check_ge "$label: blocked.test flows found" 5 \
    "$(jq_of "$TEST_TMP/$label.analyze.json" '[.flows[] | select(.server_name=="blocked.test")] | length')"
  check_eq "$label: capture taken on the client side" client "$(jq_of "$TEST_TMP/$label.analyze.json" '.capture.side')"
  # The text report names frames a Wireshark user can jump to.
  "$SNIPROBE" analyze "$TEST_TMP/$label.pcapng" >"$TEST_TMP/$label.analyze.txt" || true
  check "$label: text report lists frame numbers" grep -q "frame numbers as Wireshark shows them" "$TEST_TMP/$label.analyze.txt"
}

quiet lab_up --profile seed
round_trip seed
check_eq "seed: diagnose says sni_reset" sni_reset "$(jq_of "$TEST_TMP/seed.json" '.verdict.cause')"
quiet lab_down

quiet lab_up --profile clean --server-reset blocked.test
round_trip server_reset
check_eq "server reset: diagnose says server_reset" server_reset "$(jq_of "$TEST_TMP/server_reset.json" '.verdict.cause')"
finish
