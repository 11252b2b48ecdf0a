"""The 'limit' of the shared workload: fetch every feed URL with aiohttp, no parsing.

Usage: python bench/limit_fetch.py URLS_FILE   (one URL a line; prints seconds and bytes)
"""

from __future__ import annotations

import asyncio
import sys
import time

import aiohttp


async def fetch_all(urls: list[str]) -> int:
    slots = asyncio.Semaphore(64)
    total = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:

        async def one(url: str) -> None:
            nonlocal total
            async with slots, session.get(url) as response:
                total += len(await response.read())

        await asyncio.gather(*(one(u) for u in urls))
    return total


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    started = time.perf_counter()
    size = asyncio.run(fetch_all(urls))
    print(f"{time.perf_counter() - started:.3f} {size}")


if __name__ == "__main__":
    main()
