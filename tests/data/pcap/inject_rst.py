#!/usr/bin/env python3
"""Fixture recorder's on-path injector (run in the router namespace).

Watches one interface (AF_PACKET) for a ClientHello naming TRIGGER and answers it the
way a DPI box does: forged RSTs to the client with the server's exact next sequence
number (the ClientHello's ack), and one to the server. The router drops the real
ClientHello with iptables, so the forged RST does not race the ServerHello (DESIGN.md
section 6). Modes copy published fingerprints (reference/injector-fingerprints.md):
  henan  RST+ACK x1, IP ID 0x0001, DF 0, TTL 58, payload 01 02 .. 09 00 (client only)
  gfw2   RST+ACK x3 identical, random IP ID, DF 1, random TTL (both ends)
Bounded: exits after COUNT triggers or TIMEOUT seconds.
"""
import random, socket, struct, sys, time

iface, trigger, mode, count, timeout = sys.argv[1], sys.argv[2].encode(), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def tcp_ipv4(src, dst, sp, dp, seq, ack, flags, window, ttl, ipid, df, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, window, 0, 0) + payload
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), ipid, 0x4000 if df else 0, ttl, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return ip + tcp

rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
rx.bind((iface, 0))
rx.settimeout(0.2)
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
deadline = time.time() + timeout
fired = 0
while fired < count and time.time() < deadline:
    try:
        frame, addr = rx.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING: continue
    ip = frame[14:]
    if len(ip) < 40 or ip[9] != 6: continue
    ihl = (ip[0] & 15) * 4
    tcp = ip[ihl:]
    doff = (tcp[12] >> 4) * 4
    payload = tcp[doff:struct.unpack('!H', ip[2:4])[0] - ihl]
    if not payload.startswith(b'\x16\x03') or trigger not in payload: continue
    src, dst = ip[12:16], ip[16:20]
    sp, dp, seq, ack = struct.unpack('!HHII', tcp[:12])
    client_next = (seq + len(payload)) & 0xffffffff
    if mode == 'henan':
        pkt = tcp_ipv4(dst, src, dp, sp, ack, client_next, 0x14, 0, 58, 1, False, bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]))
        tx.sendto(pkt, (socket.inet_ntoa(src), 0))
    else:
        ttl, ipid, window = random.randint(39, 238), random.randint(163, 65119), random.randint(1, 65535)
        pkt = tcp_ipv4(dst, src, dp, sp, ack, client_next, 0x14, window, ttl, ipid, True)
        for _ in range(3): tx.sendto(pkt, (socket.inet_ntoa(src), 0))
        to_server = tcp_ipv4(src, dst, sp, dp, client_next, ack, 0x14, window, ttl, ipid, True)
        for _ in range(3): tx.sendto(to_server, (socket.inet_ntoa(dst), 0))
    fired += 1
print(f'inject_rst: fired {fired}', file=sys.stderr)
