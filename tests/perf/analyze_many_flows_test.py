#!/usr/bin/env python3
"""`sniprobe analyze` on captures of many short TLS flows (200,000: AnalyzeOptions'
max_flows) keeps its peak RSS under 128 MiB, in text and --json, and gives each name the
verdict (cause, evidence ids) that a small capture of the same flows gets.

The captures are real handshakes from tests/data/realworld replicated on new client ports
(many_flows_pcap.py), piped into analyze's standard input: nothing is written to disk but
analyze's own output. Peak RSS is /usr/bin/time's (package `time`), so run this on an
optimised, unsanitised binary only (tests/CMakeLists.txt registers it in Release trees).

usage: analyze_many_flows_test.py SNIPROBE REALWORLD_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from many_flows_pcap import write_capture  # noqa: E402

LIMIT_KIB = 128 * 1024
SMALL_FLOWS = 600  # within the judged sample: every flow judged

failures = []


def check(ok, what):
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures.append(what)


def analyze(sniprobe, template, flows, json_output, out_path, names=0):
    """Runs analyze on the generated capture; returns (exit status, max RSS in KiB).
    /usr/bin/time measures: a child forked from this Python would count the Python's own
    pages (Linux keeps the high-water mark across exec)."""
    rss_path = out_path + '.rss'
    args = ['/usr/bin/time', '-f', '%M', '-o', rss_path, sniprobe, 'analyze', '-']
    if json_output:
        args.append('--json')
    with open(out_path, 'wb') as out:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out)
        try:
            write_capture(template, proc.stdin, flows,
                          label=b'tls13.' if names else None, names=names)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        status = proc.wait()
    lines = open(rss_path).read().split()
    return status, int(lines[-1]) if lines and lines[-1].isdigit() else LIMIT_KIB * 100


def verdicts_from_json_names(names):
    return {n['name']: (n['diagnosis']['verdict']['cause'],
                        [e['id'] for e in n['diagnosis']['verdict']['evidence']])
            for n in names}


def read_json_big(path):
    """(flow count, last flow id, names) of a large --json output, without loading every
    flow as a Python object: the flows member is counted, the names member parsed."""
    data = open(path, 'rb').read()
    at = data.find(b'\n  "names": ')
    if at < 0:
        return 0, None, []
    flows_part = data[:at]
    count = flows_part.count(b'\n    {\n      "id": ')
    ids = re.findall(rb'\n    \{\n      "id": (\d+)', flows_part[-4096:])
    names, _ = json.JSONDecoder().raw_decode(data[at + len(b'\n  "names": '):].decode())
    # The document must close after the addresses member.
    check(data.rstrip().endswith(b'}'), f'{os.path.basename(path)}: the document is closed')
    return count, int(ids[-1]) if ids else None, names


def run_case(sniprobe, template, flows, json_output, work):
    label = f'{os.path.basename(template)}, {flows} flows, {"json" if json_output else "text"}'
    small_out = os.path.join(work, 'small.json')
    status, _ = analyze(sniprobe, template, SMALL_FLOWS, True, small_out)
    check(status in (0, 1), f'{label}: small capture analysed (exit {status})')
    small = json.load(open(small_out))
    expected = verdicts_from_json_names(small['names'])
    check(len(expected) > 0, f'{label}: the small capture has verdicts')

    big_out = os.path.join(work, 'big.out')
    status, rss = analyze(sniprobe, template, flows, json_output, big_out)
    check(status in (0, 1), f'{label}: analysed (exit {status})')
    print(f'     {label}: max RSS {rss / 1024:.1f} MiB')
    check(rss < LIMIT_KIB, f'{label}: max RSS {rss / 1024:.1f} MiB < {LIMIT_KIB // 1024} MiB')
    if json_output:
        count, last_id, names = read_json_big(big_out)
        check(count == flows, f'{label}: {count} flows listed')
        check(last_id == flows - 1, f'{label}: the last flow is {last_id}')
        got = verdicts_from_json_names(names)
        check(got == expected, f'{label}: verdicts {got} == small capture\'s {expected}')
    else:
        text = open(big_out, encoding='utf-8', errors='replace').read()
        check(f'{flows} flows followed' in text.splitlines()[0], f'{label}: {flows} flows followed')
        for name, (cause, _) in expected.items():
            found = re.search(r'^== ' + re.escape(name) + r' ==\n(\S+) \(', text, re.M)
            got = found.group(1).split('/')[0] if found else None
            check(got == cause, f'{label}: {name} is {got}, small capture: {cause}')
        check('more flows (--json lists them all)' in text, f'{label}: flow rows are capped')


def run_names_case(sniprobe, template, flows, names, work):
    """Thousands of names to one address (a server-side capture of a host with many
    virtual hosts): each name compares with fewer other names' flows, so memory grows
    with the names' verdicts, not with names x 256 comparison copies; every name is
    judged from its own flows and gets the verdict the one-name capture gets."""
    label = f'{os.path.basename(template)}, {flows} flows, {names} names to one address'
    small_out = os.path.join(work, 'small.json')
    status, _ = analyze(sniprobe, template, SMALL_FLOWS, True, small_out)
    check(status in (0, 1), f'{label}: small capture analysed (exit {status})')
    expected = set(c for c, _ in verdicts_from_json_names(json.load(open(small_out))['names']).values())
    big_out = os.path.join(work, 'names.json')
    status, rss = analyze(sniprobe, template, flows, True, big_out, names=names)
    check(status in (0, 1), f'{label}: analysed (exit {status})')
    print(f'     {label}: max RSS {rss / 1024:.1f} MiB')
    check(rss < 2 * LIMIT_KIB, f'{label}: max RSS {rss / 1024:.1f} MiB < {2 * LIMIT_KIB // 1024} MiB')
    _, _, got = read_json_big(big_out)
    check(len(got) == names, f'{label}: {len(got)} names judged')
    causes = set(n['diagnosis']['verdict']['cause'] for n in got)
    check(causes == expected, f'{label}: causes {causes} == small capture\'s {expected}')
    unjudged = [n['name'] for n in got
                if not any(v['name'] == 'sni' and v['trials'] > 0
                           for v in n['diagnosis']['variants'])]
    check(not unjudged, f'{label}: every name judged from its own flows ({len(unjudged)} not)')


def main():
    sniprobe, realworld = sys.argv[1], sys.argv[2]
    alerts = os.path.join(realworld, 'zeek_tls-protocol-version-alert.pcap')
    chains = os.path.join(realworld, 'zeek_tls-missing-intermediate.pcap')
    with tempfile.TemporaryDirectory(prefix='sniprobe-many-flows.') as work:
        run_case(sniprobe, alerts, 200000, False, work)
        run_case(sniprobe, alerts, 200000, True, work)
        # Certificates, a server's reset and two servers per replica.
        run_case(sniprobe, chains, 60000, True, work)
        run_names_case(sniprobe, alerts, 20000, 10000, work)
    if failures:
        print(f'{len(failures)} check(s) failed')
        sys.exit(1)


if __name__ == '__main__':
    main()
