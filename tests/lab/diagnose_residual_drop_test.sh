#!/usr/bin/env bash
# A box that black-holes handshakes naming blocked.test and then refuses every new connection
# from the client to that server port for 25 s (the GFW's 3-tuple block, its 90-180 s
# shortened): each later SYN vanishes, whatever the name. Run as a user would (no
# --residual) but with --concurrency 8 (a slow path, or the advice to go gently), the
# first target hello poisons every control that starts after it: before the baseline
# and the residual guard, diagnose said inconclusive, "controls 3/20" here. It must say
# sni_drop, cite the residual block (controls that passed before the first trigger,
# trials after it failing at connect), and stop probing the blocked tuple early.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/diagnose.sh"
skip_unless_root

rules="$TEST_TMP/residual-drop.toml"
cat >"$rules" <<'TOML'
[[rule]]
name = "residual-drop"
action = "drop"
probability = 1.0
reassemble = true
mode = "in_path"
residual_seconds = 25

[rule.match]
sni_exact = "blocked.test"

TOML
quiet lab_up --rules "$rules"

out="$TEST_TMP/residual-drop.json"
rc=0
start=$SECONDS
diagnose_json "$out" blocked.test --no-trace --concurrency 8 --timeout-ms 2000 || rc=$?
elapsed=$((SECONDS - start))
check_eq "exit status says a problem was found" 1 "$rc"
expect_verdict "residual drop -> sni_drop" "$out" sni_drop
check_ge "the residual block is a finding (E_RESIDUAL_BLOCKING)" 1 \
  "$(jq_of "$out" '[.verdict.evidence[] | select(.id=="E_RESIDUAL_BLOCKING")] | length')"
# The baseline: control trials that ended before the first trial naming the target began.
first_target='[.trials[] | select(.variant|test("^(sni|full_verify)")) | .t0] | min'
check_ge "baseline controls answered before any target hello" 2 \
  "$(jq_of "$out" "($first_target) as \$f | [.trials[] | select(.t < \$f and .failure == null)] | length")"
check "the run stays bounded (${elapsed}s)" test "$elapsed" -le 20
finish
