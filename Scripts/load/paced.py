#!/usr/bin/env python3
"""Open-loop load at a fixed rate: sends POST /v1/comments at RATE per second for SECONDS over
CONNECTIONS keep-alive connections to 127.0.0.1:PORT, and prints latency percentiles.

Open loop means requests are sent on schedule whatever the latency, so a slow server shows up as
latency (no coordinated omission)."""
import asyncio, json, os, sys, time

async def worker(port, token, bodies, schedule, latencies, statuses, index):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    for at in schedule:
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body = bodies[(index * 7919 + n) % len(bodies)].replace("__ID__", f"paced-{index}-{n}", 1).encode()
        n += 1
        request = (f"POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - at)
        statuses[status_line.split(b" ")[1].decode()] = statuses.get(status_line.split(b" ")[1].decode(), 0) + 1
    writer.close()

async def main():
    port, rate, seconds, connections = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    token = os.environ["MODERATO_API_TOKEN"]
    bodies = open(os.environ["MODERATO_LOAD_BODIES"]).read().splitlines()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    schedules = [[] for _ in range(connections)]
    for i in range(total):
        schedules[i % connections].append(start + i / rate)
    latencies, statuses = [], {}
    await asyncio.gather(*(worker(port, token, bodies, schedules[c], latencies, statuses, c) for c in range(connections)))
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000
    print(f"paced: {len(latencies)} requests at {rate:.0f}/s, statuses {statuses}, p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms, max {latencies[-1]*1000:.2f} ms")

asyncio.run(main())
