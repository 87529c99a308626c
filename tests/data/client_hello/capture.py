#!/usr/bin/env python3
"""Records the first ClientHello a TLS client sends to 127.0.0.1.

Usage: capture.py OUT.bin -- CLIENT-COMMAND... ('{port}' in the command is replaced by
the listening port). Listens on an ephemeral loopback port, runs the client, reads TLS
records until the handshake message they carry is complete (bounded: 64 KiB, 5 s),
writes the raw bytes exactly as received, closes the connection (the client then fails,
which is expected) and waits for the client to exit.
"""
import socket, subprocess, sys, time

def hello_complete(buf: bytes) -> bool:
    pos, msg = 0, b""
    while pos + 5 <= len(buf):
        n = int.from_bytes(buf[pos + 3:pos + 5], "big")
        msg += buf[pos + 5:pos + 5 + n]
        pos += 5 + n
        if len(msg) >= 4 and len(msg) >= 4 + int.from_bytes(msg[1:4], "big"):
            return pos <= len(buf)
    return False

def main() -> int:
    out, cmd = sys.argv[1], sys.argv[3:]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(5)
    port = srv.getsockname()[1]
    client = subprocess.Popen([a.replace("{port}", str(port)) for a in cmd],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn, _ = srv.accept()
        conn.settimeout(5)
        buf, deadline = b"", time.monotonic() + 5
        while not hello_complete(buf) and len(buf) < 65536 and time.monotonic() < deadline:
            chunk = conn.recv(65536)
            if not chunk:
                break
            buf += chunk
        conn.close()
    finally:
        srv.close()
        try:
            client.wait(timeout=5)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait()
    if not hello_complete(buf):
        print(f"{out}: no complete ClientHello ({len(buf)} bytes)", file=sys.stderr)
        return 1
    open(out, "wb").write(buf)
    print(f"{out}: {len(buf)} bytes")
    return 0

sys.exit(main())
