#!/usr/bin/env bash
# Every forged ClientHello shape against the lab's nginx, through the first_segment box
# (resets blocked.test when the name is in the first segment): for each of openssl,
# chrome, firefox and minimal, `scan --hello-shape` must see ok.test answered (ServerHello, the verdict
# ok, every probe a success) and blocked.test reset where the name sits in the first
# segment. The reference run with OpenSSL's own hello (--hello-shape ssl) agrees.
source "$(dirname "$0")/lib.sh"
skip_unless_root
quiet lab_up --profile first_segment

SERVER=10.77.3.2
NAMES="$TEST_TMP/names.txt"
printf 'ok.test\nwww.ok.test\nblocked.test\n' >"$NAMES"
for shape in openssl chrome firefox minimal ssl; do
  OUT="$TEST_TMP/$shape.jsonl"
  set +e
  lab_exec client "$SNIPROBE" scan --ip "$SERVER" --names "$NAMES" --output "$OUT" --quiet \
    --trials 5 --control-trials 5 --hello-shape "$shape" 2>"$TEST_TMP/$shape.err"
  set -e
  cause_of() { python3 -c "import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r['host']==sys.argv[2]: print(r['verdict']['cause'])" "$OUT" "$1"; }
  check_eq "$shape: ok.test answered" ok "$(cause_of ok.test)"
  check_eq "$shape: www.ok.test answered" ok "$(cause_of www.ok.test)"
  # Chrome's permuted order may put the name past the first segment, where this box
  # does not look; the other shapes keep it early.
  if [[ "$shape" != chrome ]]; then
    check_eq "$shape: blocked.test reset" sni_reset "$(cause_of blocked.test)"
  fi
  [[ -s "$OUT" ]] || cat "$TEST_TMP/$shape.err"
done
finish
