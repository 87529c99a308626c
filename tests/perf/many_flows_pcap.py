#!/usr/bin/env python3
"""Writes a pcap of many short TLS flows: every connection of a real capture (TEMPLATE,
from tests/data/realworld), replicated on new client ports until FLOWS flows are written.
Replicas are SPACING seconds apart (capture time), so earlier flows have ended and the
tracker holds few open ones: what grows is only what analyze keeps per finished flow.
Frames keep their bytes (checksums are not recomputed; analyze does not check them).

usage: many_flows_pcap.py TEMPLATE OUT FLOWS [--spacing S]
"""
import argparse
import struct
import sys


def read_pcap(path):
    data = open(path, 'rb').read()
    if data[:4] != b'\xd4\xc3\xb2\xa1':
        sys.exit(f'{path}: only little-endian microsecond pcap templates are supported')
    frames, off = [], 24
    while off + 16 <= len(data):
        ts, us, cap, ln = struct.unpack('<IIII', data[off:off + 16])
        off += 16
        frames.append((ts + us / 1e6, bytes(data[off:off + cap]), ln))
        off += cap
    return data[:24], frames


def write_capture(template, out, flows, spacing=30.0, label=None, names=0):
    """Writes the capture to the binary file `out`; returns the connections per replica.
    With `label` (bytes, e.g. b'tls13.') and `names` N, replica r names the server
    f'{r % N}' zero-padded to the label's length in its place: N names to one address."""
    header, frames = read_pcap(template)
    if struct.unpack('<I', header[20:24])[0] != 1:
        sys.exit('template must be an Ethernet pcap')
    t_first = frames[0][0]
    # Each TCP frame: where its client port is (the end that is not the TLS server's, the
    # lower port) and that port. Connections are counted by (client address, port).
    parts, clients = [], set()
    for ts, f, ln in frames:
        at = None
        if len(f) >= 34 and f[12:14] == b'\x08\x00' and f[23] == 6:
            tcp = 14 + (f[14] & 0x0f) * 4
            if len(f) >= tcp + 4:
                sport, dport = struct.unpack('>HH', f[tcp:tcp + 4])
                to_server = dport < sport
                at = (tcp, sport) if to_server else (tcp + 2, dport)
                clients.add((f[26:30] if to_server else f[30:34], at[1]))
        parts.append((ts - t_first, f, ln, at))
    per_replica = len(clients)
    if per_replica == 0:
        sys.exit('template has no TCP connection')
    replicas = (flows + per_replica - 1) // per_replica
    out.write(header)
    base = 1.0e9
    for r in range(replicas):
        # Client ports move on per replica, reused only replicas (and hours) later.
        shift = (r * per_replica) % 60000 + 1
        t0 = base + r * spacing
        chunk = []
        for rel, f, ln, at in parts:
            t = t0 + rel
            if at is not None:
                off, port = at
                f = f[:off] + struct.pack('>H', (port + shift) % 64512 + 1024) + f[off + 2:]
                if label and names and label in f:
                    width = len(label) - 1
                    f = f.replace(label, f'{r % names:0{width}d}'.encode()[-width:] + label[-1:])
            chunk.append(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(f), ln))
            chunk.append(f)
        out.write(b''.join(chunk))
    return replicas, per_replica


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('template')
    ap.add_argument('out')
    ap.add_argument('flows', type=int)
    ap.add_argument('--spacing', type=float, default=30.0)
    ap.add_argument('--label', help="a name's first label with its dot, e.g. tls13.")
    ap.add_argument('--names', type=int, default=0, help='that many names, one per replica')
    a = ap.parse_args()
    with open(a.out, 'wb') as out:
        replicas, per_replica = write_capture(a.template, out, a.flows, a.spacing,
                                              a.label.encode() if a.label else None, a.names)
    print(f'{a.out}: {replicas} replicas of {per_replica} connections', file=sys.stderr)


if __name__ == '__main__':
    main()
