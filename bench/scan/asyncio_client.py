#!/usr/bin/env python3
"""The Python peer of the scan benchmark: N TLS handshakes (no verification, SNI set,
TLS 1.3 where offered) with a bounded number in flight on one asyncio loop, each closed
right after the handshake. Prints the number of completed handshakes.
Usage: asyncio_client.py HOST PORT N CONCURRENCY"""
import asyncio, ssl, sys

async def main(host, port, n, concurrency):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sem = asyncio.Semaphore(concurrency)
    ok = 0

    async def one(i):
        nonlocal ok
        async with sem:
            try:
                _, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port, ssl=ctx, server_hostname=f"n{i}.bench.test"), 10)
                ok += 1
                writer.transport.abort()
            except (OSError, asyncio.TimeoutError, ssl.SSLError):
                pass

    await asyncio.gather(*(one(i) for i in range(n)))
    print(ok)

if __name__ == "__main__":
    host, port, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    asyncio.run(main(host, port, n, c))
