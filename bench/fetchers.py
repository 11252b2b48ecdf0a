"""HTTP clients on the shared workload: fetch every feed of a corpus, no parsing.

    pip install -e '.[bench]'
    bash ../shared/bench/serve.sh /tmp/rsspress-bench/corpus-M 8765
    python bench/fetchers.py [--corpus DIR] [--base http://127.0.0.1:8765] [--trials 3]

aiohttp and httpx, each with 64 requests in flight, keep-alive and gzip.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import httpx
import limit_fetch  # the limit run's aiohttp loop, measured here against httpx
import yaml


async def with_httpx(urls: list[str]) -> int:
    slots = asyncio.Semaphore(64)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits) as client:

        async def one(url: str) -> int:
            async with slots:
                return len((await client.get(url)).content)

        return sum(await asyncio.gather(*(one(u) for u in urls)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/rsspress-bench/corpus-M"))
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    feeds = yaml.safe_load((args.corpus / "config.yaml").read_text("utf-8"))["feeds"]
    urls = [f"{args.base}/{feed['path']}" for feed in feeds]
    for name, client in (("aiohttp", limit_fetch.fetch_all), ("httpx", with_httpx)):
        times, size = [], 0
        for _ in range(args.trials):
            started = time.perf_counter()
            size = asyncio.run(client(urls))
            times.append(time.perf_counter() - started)
        each = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"{name:<8} {len(urls)} feeds, {size / 1e6:.1f} MB decoded:"
            f" median {statistics.median(times):.2f}s ({each})"
        )


if __name__ == "__main__":
    main()
