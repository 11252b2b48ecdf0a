"""Several `rsspress daemon` workers sharing one mirror on PostgreSQL.

    python bench/workers.py [--size L] [--workers 1,2,4] [--postgres URL] [--work DIR]

For each worker count: a fresh PostgreSQL schema and an empty posts folder,
then N daemons start at once against the corpus (served by nginx on
127.0.0.1) and are stopped when every feed has been fetched. Prints the wall
time from start to the last feed, items/s, the fetches the workers made (one
per feed when none is fetched twice), and duplicate posts: items the workers
said they published beyond the distinct items in the state, and post files
beyond the state's rows. Both must be 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from run_corpus import SIZES, filesystem_of, prepare

from rsspress.store import Store

ROUND = re.compile(r"(\d+) fetched: (\d+) new items")


def fresh_schema(url: str) -> tuple[str, str]:
    schema = f"rsspress_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'DROP SCHEMA "{schema}" CASCADE')


def trial(config: Path, workers: int, url: str, feeds: int, timeout: float) -> dict[str, float]:
    work = config.parent
    schema, state = fresh_schema(url)
    settings = json.loads(config.read_text("utf-8"))
    settings["state"] = state
    settings["daemon"] = {"min_interval": "24h", "max_interval": "24h",
                          "publish_every": "24h", "metrics_listen": None}  # fmt: skip
    run_config = work / f"workers-{workers}.yaml"
    run_config.write_text(json.dumps(settings, ensure_ascii=False), "utf-8")
    shutil.rmtree(work / "posts", ignore_errors=True)
    Store(state).close()  # the schema, before the clock starts
    logs = [work / f"worker-{workers}-{n}.log" for n in range(workers)]
    procs = []
    started = time.monotonic()
    for log in logs:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "rsspress", "daemon", "-c", run_config],
                cwd=work,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                env={**os.environ, "NO_COLOR": "1"},
            )
        )
    try:
        with psycopg.connect(state, autocommit=True) as db:
            while True:
                done = db.execute(
                    "SELECT COUNT(*) FROM feeds WHERE last_fetch_at IS NOT NULL"
                    " AND lease_owner IS NULL"
                ).fetchone()
                if done is not None and done[0] == feeds:
                    break
                if time.monotonic() - started > timeout:
                    raise SystemExit(f"{workers} workers: not done after {timeout:.0f} s")
                if any(p.poll() is not None for p in procs):
                    raise SystemExit(f"a worker exited early; see {logs}")
                time.sleep(0.05)
            wall = time.monotonic() - started
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=120)
            items, distinct = db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT post_id) FROM items WHERE filename IS NOT NULL"
            ).fetchone() or (0, 0)
            failed = db.execute(
                "SELECT COUNT(*) FROM feeds WHERE last_outcome = 'error'"
            ).fetchone()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        drop_schema(url, schema)
    fetches = claimed = 0
    for log in logs:
        for match in ROUND.finditer(log.read_text("utf-8")):
            fetches += int(match[1])
            claimed += int(match[2])
    files = sum(1 for _ in (work / "posts").glob("*.md"))
    return {
        "wall": wall,
        "items": distinct,
        "fetches": fetches,
        "failed": failed[0] if failed else 0,
        "dup_reported": claimed - distinct,
        "dup_rows": items - distinct,
        "dup_files": files - distinct,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="L")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("RSSPRESS_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test"),
    )
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--corpus-root", type=Path, default=Path("/tmp/rsspress-bench"))
    parser.add_argument("--work", type=Path)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    work = args.work or (args.corpus_root / f"workers-{args.size}")
    config, _, total_items = prepare(args.size, "default", args.port, args.corpus_root, work)
    feeds = SIZES[args.size][0]
    print(f"corpus {args.size}: {feeds} feeds, {total_items} items; PostgreSQL state; "
          f"work dir on {filesystem_of(work)}", flush=True)  # fmt: skip
    print(f"{'workers':>7} {'wall s':>8} {'items/s':>8} {'items':>7} {'fetches':>8} "
          f"{'failed':>6} {'dup posts':>9} {'dup rows':>8} {'dup files':>9}")  # fmt: skip
    for workers in (int(n) for n in args.workers.split(",")):
        r = trial(config, workers, args.postgres, feeds, args.timeout)
        print(f"{workers:>7} {r['wall']:8.1f} {r['items'] / r['wall']:8.0f} {r['items']:>7} "
              f"{r['fetches']:>8} {r['failed']:>6} {r['dup_reported']:>9} {r['dup_rows']:>8} "
              f"{r['dup_files']:>9}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
