#!/usr/bin/env bash
# The server's side of the seed story: under the `seed` profile the middlebox resets
# handshakes naming blocked.test both ways, so nginx's info log blames the *client*.
# `sniprobe logs` on that log must count at least one handshake_reset per reset the client
# saw, name the client 10.77.1.2, add no reset for ok.test handshakes, read the same log
# gzipped and from stdin alike, exit 3 on a missing file and 2 on bad usage, and stream a
# ~200 MB log through stdin under 64 MB of peak RSS (/usr/bin/time -v).
source "$(dirname "$0")/lib.sh"
skip_unless_root

log="$LAB_STATE_DIR/nginx-error.log"
check "lab up --profile seed" quiet lab_up --profile seed

# Reset count of `sniprobe logs FILE --json` (0 when the log is not readable yet).
resets_in_log() { "$SNIPROBE" logs "$log" --json 2>/dev/null | jq -r '.class_counts.handshake_reset // 0' || echo 0; }
# True once the log holds at least $1 resets: nginx writes the line when the RST reaches
# it, which may be just after s_client returned.
log_has_resets() { (($(resets_in_log) >= $1)); }

before=$(resets_in_log)
tries=12
passed=$(count_handshakes "$tries" blocked.test)
client_resets=$((tries - passed))
echo "blocked.test: $client_resets of $tries handshakes failed at the client"
check_ge "the seed profile reset most blocked.test handshakes" 6 "$client_resets"
check "nginx logged the resets (bounded wait)" wait_for 10 log_has_resets $((before + client_resets))

json="$TEST_TMP/logs.json"
"$SNIPROBE" logs "$log" --json >"$json"
check_eq "sniprobe logs exits 0" 0 $?
logged=$(jq -r '.class_counts.handshake_reset' "$json")
check_ge "handshake_reset count covers every reset the client saw" "$((before + client_resets))" "$logged"
client_row=$(jq -c '.clients[] | select(.address == "10.77.1.2")' "$json")
check "the client 10.77.1.2 is named" test -n "$client_row"
check_ge "10.77.1.2's own handshake_reset count" "$client_resets" \
  "$(jq -r '.classes.handshake_reset // 0' <<<"${client_row:-{\}}")"
check "the headline names the resets" grep -q "reset mid-handshake" <("$SNIPROBE" logs "$log")

ok_passed=$(count_handshakes 5 ok.test)
check_eq "ok.test completes" 5 "$ok_passed"
check_eq "ok.test handshakes add no reset" "$logged" "$(resets_in_log)"

gzip -c "$log" >"$TEST_TMP/error.log.1.gz"
cp "$log" "$TEST_TMP/error.log"  # a stable copy: the live log may still grow
counts() { jq -c '[.handshake_failures, .class_counts, .clients_distinct]'; }
plain=$("$SNIPROBE" logs "$TEST_TMP/error.log" --json | counts)
check_eq "a rotated .gz reads like the plain log" "$plain" "$("$SNIPROBE" logs "$TEST_TMP/error.log.1.gz" --json | counts)"
check_eq "stdin (-) reads like the plain log" "$plain" "$("$SNIPROBE" logs - --json <"$TEST_TMP/error.log.1.gz" | counts)"
check_eq ".gz is detected as compressed" true \
  "$("$SNIPROBE" logs "$TEST_TMP/error.log.1.gz" --json | jq -r '.inputs[0].compressed')"

"$SNIPROBE" logs "$TEST_TMP/missing.log" >/dev/null 2>"$TEST_TMP/err" && rc=0 || rc=$?
check_eq "a missing file exits 3" 3 "$rc"
check "with one line naming it" test "$(grep -c missing.log "$TEST_TMP/err")" -eq 1
"$SNIPROBE" logs "$log" --bucket fortnight >/dev/null 2>&1 && rc=0 || rc=$?
check_eq "a bad --bucket exits 2" 2 "$rc"

# ~200 MB: the recorded reset line, from 65536 different clients, through a pipe.
line=$(grep -a -m1 'Connection reset by peer) while SSL handshaking' "$log")
check "found a reset line to repeat" test -n "$line"
awk -v line="$line" 'BEGIN { at = index(line, "client: ") + 7; head = substr(line, 1, at);
    tail = substr(line, at + 1); tail = substr(tail, index(tail, ","));
    n = int(200 * 1024 * 1024 / (length(line) + 4));
    for (i = 0; i < n; i++) printf "%s10.%d.%d.9%s\n", head, int(i / 256) % 256, i % 256, tail }' |
  /usr/bin/time -v "$SNIPROBE" logs - --json >"$TEST_TMP/big.json" 2>"$TEST_TMP/time.txt"
rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TEST_TMP/time.txt")
big_lines=$(jq -r '.lines.total' "$TEST_TMP/big.json")
echo "streamed $big_lines lines through stdin; peak RSS ${rss_kib} KiB"
check_ge "the big log was read whole" 1000000 "$big_lines"
check_eq "every big-log line is a reset" "$big_lines" "$(jq -r '.class_counts.handshake_reset' "$TEST_TMP/big.json")"
check "peak RSS under 64 MB" test "${rss_kib:-999999999}" -lt $((64 * 1024))
check_eq "clients beyond the table are estimated, not exact" false "$(jq -r '.clients_exact' "$TEST_TMP/big.json")"
finish
