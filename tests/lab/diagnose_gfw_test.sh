#!/usr/bin/env bash
# The GFW type II box (src/middlebox/profiles/gfw.toml: three identical RST+ACKs to both
# ends, random IP ID, then the (client, server, port) tuple stays blocked), with its
# 180 s residual shortened to 6 s in a copy of the profile so the run takes seconds.
# diagnose --residual must call it sni_reset although the residual block makes every
# later trial fail whatever its name, read the RSTs as the gfw_type_2 burst, and time
# the block after the last trigger at about 6 s, keyed on 3 fields (port 8443 of the
# same server stays open).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root

source_dir="${SNIPROBE_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
rules="$TEST_TMP/gfw-6s.toml"
# Two changes to the shipped profile: the residual, and the IP ID. Type II's three copies
# are identical (IP ID included), but the emulator draws `ip_id = "random"` afresh for
# every packet of a burst (middlebox/inject.cpp choose_ip_id), so the shipped profile's
# burst is not identical and reads as `unknown`; one fixed ID from type II's range
# (163-65119) gives the burst the real box sends.
sed -e 's/^residual_seconds *= *[0-9]*/residual_seconds = 6/' -e 's/^ip_id *= *"random"/ip_id = "fixed:20011"/' \
  "$source_dir/src/middlebox/profiles/gfw.toml" >"$rules"
check "the copy of the gfw profile has a 6 s residual" grep -q '^residual_seconds = 6$' "$rules"
check "...and one IP ID for the whole burst" grep -q '^ip_id = "fixed:20011"$' "$rules"
quiet lab_up --rules "$rules"

out="$TEST_TMP/gfw.json"
rc=0
start=$SECONDS
diagnose_json "$out" blocked.test --residual --residual-max-s 20 || rc=$?
elapsed=$((SECONDS - start))
check_eq "exit status says a problem was found" 1 "$rc"
expect_verdict "gfw -> sni_reset" "$out" sni_reset

# The injected RSTs that hit their mark (the exact sequence number the client expects):
# the type II burst of three identical RST+ACKs. A burst can lose the race — with the
# box's 18 ms delay the server's flight of a two-segment hello may already be out, so the
# RSTs' sequence number is stale ("outside") and the client ignores them; such trials then
# succeed, or fail on the server's kernel answering after the RST tore its side down.
# Those are still injected, but no burst of three identical packets reaches the analysis.
exact='[.rst[] | select(.origin=="injected" and .seq_relation=="exact")]'
injected=$(jq_of "$out" "$exact | length")
gfw=$(jq_of "$out" "$exact | map(select(.signature==\"gfw_type_2\" and .burst_count==3 and .flags==\"RA\")) | length")
check_ge "RSTs attributed to injection, exact sequence" 3 "$injected"
check_eq "each of them is the gfw_type_2 burst of 3" "$injected" "$gfw"
check_ge "E_RST_SIGNATURE names gfw_type_2" 1 \
  "$(jq_of "$out" '[.verdict.evidence[] | select(.id=="E_RST_SIGNATURE" and (.text|test("gfw_type_2")))] | length')"
check_eq "no RST blamed on the server" 0 \
  "$(jq_of "$out" '[.rst[] | select(.origin=="server" and (.after_injected|not))] | length')"

# The residual block, timed from the last trigger with the control name.
check_eq "residual status" cleared "$(jq_of "$out" '.residual.status')"
window_ds=$(jq_of "$out" '(.residual.window_s // -1) * 10 | floor')
check "residual window within [4, 10] s ($(jq_of "$out" '.residual.window_s') s for a 6 s block)" \
  test "$window_ds" -ge 40 -a "$window_ds" -le 100
check_eq "the probes sent the control name" \
  "$(jq_of "$out" '.target.control_server_name')" "$(jq_of "$out" '[.residual.probes[].server_name] | unique | join(",")')"
check_ge "port 8443 answered the control during the block (an alert: it rejects every name)" 1 \
  "$(jq_of "$out" '[.residual.probes[] | select(.port==8443 and .phase=="during" and .answered)] | length')"
check_eq "so the block is keyed on (client, server, port)" 3 "$(jq_of "$out" '.residual.keyed_fields')"
check_ge "the measured block is cited as evidence" 1 \
  "$(jq_of "$out" '[.verdict.evidence[] | select(.id=="E_RESIDUAL_BLOCKING" and (.text|test("measured")))] | length')"
check "the run stays bounded (${elapsed}s)" test "$elapsed" -le 45
if ((LAB_FAILURES > 0)); then
  jq -c "$exact | map(select(.signature!=\"gfw_type_2\" or .burst_count!=3)) | .[]" "$out" || true
  for id in $(jq -r "$exact | map(select(.signature!=\"gfw_type_2\" or .burst_count!=3)) | map(.trial_id) | unique | .[]" "$out"); do
    jq -c ".trials[] | select(.id==$id) | {id, variant, failure, t0}, (.packets[] | [.t, .direction, .flags, .seq, .ack, .ttl, .ip_id])" "$out"
  done
  jq -c '.residual | del(.probes)' "$out" || true
  jq -c '.verdict.evidence' "$out" || true
fi
finish
