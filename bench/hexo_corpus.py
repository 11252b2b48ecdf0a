"""Real Hexo on rsspress's posts for a whole shared corpus: zero errors expected.

    python bench/hexo_corpus.py [--size M] [--profile default] [--work DIR]

Runs `rsspress run` (cold) on the corpus served by shared/bench/serve.sh, then
shared/hexo-check/check-posts.sh on the posts. Hexo needs about 13 GB of heap
for corpus M's 15,000 posts, so NODE_OPTIONS raises Node's limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run_corpus import REPO, SHARED, SIZES, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="M")
    parser.add_argument("--profile", choices=("default", "compat"), default="default")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--corpus-root", type=Path, default=Path("/tmp/rsspress-bench"))
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or args.corpus_root / f"hexo-{args.size}-{args.profile}"
    config, _, total = prepare(args.size, args.profile, args.port, args.corpus_root, work)
    shutil.rmtree(work / "posts", ignore_errors=True)
    for leftover in work.glob("state.db*"):
        leftover.unlink()
    subprocess.run([sys.executable, "-m", "rsspress", "run", "-q", "-c", str(config)], check=True)
    started = time.perf_counter()
    env = {**os.environ, "QUIET": "1", "NODE_OPTIONS": "--max-old-space-size=16384"}
    check = subprocess.run(
        ["bash", str(SHARED / "hexo-check" / "check-posts.sh"), str(work / "posts")],
        env=env,
        capture_output=True,
        text=True,
    )
    print(check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr[-2000:])
    print(f"{total} items, profile {args.profile}: hexo took {time.perf_counter() - started:.0f}s")
    raise SystemExit(check.returncode)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    main()
