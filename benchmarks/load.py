"""A bounded load generator: ``python -m benchmarks.load PORT PATH [--cookie C]``; prints JSON.

Standard library only and run as its own process, so the clients never share
an interpreter (or a GIL) with the code they measure. Each client loops on
one http.client connection; gunicorn's sync workers close every connection
after the response, and http.client reconnects by itself on the next request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import statistics
import time


def client(
    port: int, path: str, cookie: str, warmup: float, seconds: float
) -> tuple[list[float], int]:
    """Latencies of the 200 responses completed in the window, and how many were not 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    window_start = time.monotonic() + warmup
    window_end = window_start + seconds
    latencies, errors = [], 0
    while (sent := time.monotonic()) < window_end:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        done = time.monotonic()
        if window_start <= done <= window_end:
            if response.status == 200:
                latencies.append(done - sent)
            else:
                errors += 1
    connection.close()
    return latencies, errors


def run(
    port: int,
    path: str,
    *,
    cookie: str = "",
    concurrency: int = 4,
    warmup: float = 2,
    seconds: float = 10,
) -> dict[str, float]:
    with multiprocessing.get_context("fork").Pool(concurrency) as pool:
        results = pool.starmap(client, [(port, path, cookie, warmup, seconds)] * concurrency)
    ms = sorted(t * 1000 for latencies, _ in results for t in latencies)
    return {
        "requests": len(ms),
        "errors": sum(errors for _, errors in results),
        "seconds": seconds,
        "rps": len(ms) / seconds,
        "p50_ms": statistics.median(ms) if ms else 0.0,
        "p95_ms": ms[int(0.95 * (len(ms) - 1))] if ms else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("path")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    print(
        json.dumps(
            run(
                args.port,
                args.path,
                cookie=args.cookie,
                concurrency=args.concurrency,
                warmup=args.warmup,
                seconds=args.seconds,
            )
        )
    )


if __name__ == "__main__":
    main()
