#!/usr/bin/env python3
"""Slow clients for bench/load-test (not a test): connections that trickle a
request head one header line every few seconds, and connections that send
nothing, each reconnecting as soon as the server closes it, for as long as the
run lasts. They come from loopback source addresses 127.0.0.2 and up, spread
so that no address passes the server's per-address limit.

  bench/slow-clients.py PORT SECONDS [--trickle N] [--silent N] [--every S] [--sources K]

Prints how many connections were opened and how many the server closed. Only
127.0.0.0/8 addresses are used.
"""
import argparse
import asyncio


async def hold(port, source, every, deadline, stats, trickling):
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        except OSError:
            stats["refused"] += 1
            await asyncio.sleep(0.5)
            continue
        stats["opened"] += 1
        try:
            if trickling:
                writer.write(b"GET /healthz HTTP/1.1\r\n")
            n = 0
            while loop.time() < deadline:
                await writer.drain()
                wait = every if trickling else deadline - loop.time()
                try:
                    if await asyncio.wait_for(reader.read(1), timeout=max(wait, 0.01)) == b"":
                        stats["closed"] += 1
                        break
                except asyncio.TimeoutError:
                    pass
                if trickling:
                    writer.write(b"X-Slow-%d: a\r\n" % n)
                    n += 1
        except (ConnectionError, OSError):
            stats["closed"] += 1
        finally:
            writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("--trickle", type=int, default=1000)
    parser.add_argument("--silent", type=int, default=1000)
    parser.add_argument("--every", type=float, default=1.5)
    parser.add_argument("--sources", type=int, default=10)
    args = parser.parse_args()
    sources = ["127.0.0.%d" % (2 + i) for i in range(min(max(args.sources, 1), 200))]
    deadline = asyncio.get_running_loop().time() + args.seconds
    stats = {"opened": 0, "closed": 0, "refused": 0}
    tasks = [hold(args.port, sources[i % len(sources)], args.every, deadline, stats, True)
             for i in range(args.trickle)]
    tasks += [hold(args.port, sources[(args.trickle + i) % len(sources)], args.every, deadline, stats, False)
              for i in range(args.silent)]
    await asyncio.gather(*tasks)
    print("slow clients: %d trickling (a header line every %.1f s) and %d silent, from %d addresses: "
          "%d connections opened, %d closed by the server, %d refused"
          % (args.trickle, args.every, args.silent, len(sources), stats["opened"], stats["closed"],
             stats["refused"]))


asyncio.run(main())
