"""The HTML site on the shared workload: full and incremental builds of corpus M.

    python bench/site.py [--size M] [--trials 3] [--port 8765]

Fills a state from the corpus (one cold `rsspress run` with an HTML output),
then times, as separate processes, each trial:

- full: `rsspress build` into an empty site folder;
- no-op: `rsspress build` again, nothing changed;
- incremental: the corpus moves on one round (10 % of the feeds get one new
  item each: 50 on M), then `rsspress run`, which fetches and builds; the
  site build's own time and the files it wrote come from its summary line.

Targets (issue 5): full ≤ 10 s, incremental ≤ 1 s after 50 new items. Real Hexo
needs about 150 s for the same 15,000 posts (bench/hexo_corpus.py).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
from pathlib import Path

from run_corpus import MAKE, SIZES, filesystem_of, prepare, sh, timed

SITE_LINE = re.compile(
    r"site \S+: (\d+) files written, (\d+) removed, (\d+) unchanged, in ([\d.]+)s"
)


def site_line(output: str) -> tuple[int, int, float]:
    match = SITE_LINE.search(output)
    if match is None:
        raise SystemExit(f"no site summary in:\n{output}")
    return int(match[1]), int(match[1]) + int(match[3]), float(match[4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="M")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--corpus-root", type=Path, default=Path("/tmp/rsspress-bench"))
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or (args.corpus_root / f"site-{args.size}")
    config, _, total_items = prepare(args.size, "default", args.port, args.corpus_root, work)
    corpus = args.corpus_root / f"corpus-{args.size}"
    data = json.loads(config.read_text(encoding="utf-8"))
    data["output"] = {"dir": "site", "format": "html", "title": "bench", "page_size": 30}
    config.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for leftover in work.glob("state.db*"):
        leftover.unlink()
    shutil.rmtree(work / "site", ignore_errors=True)
    rsspress = [sys.executable, "-m", "rsspress"]
    fill = timed([*rsspress, "run", "-q", "-c", str(config)])
    print(f"filled the state: {fill[0]:.1f}s (cold run with the site build); {fill[3].strip()}")

    full, noop, incremental = [], [], []
    for trial in range(1, args.trials + 1):
        shutil.rmtree(work / "site")
        full.append(timed([*rsspress, "build", "-c", str(config)]))
        noop.append(timed([*rsspress, "build", "-c", str(config)]))
        sh(*MAKE, "--out", corpus, "--mutate", 10, "--round", trial)
        incremental.append(timed([*rsspress, "run", "-q", "-c", str(config)]))
        print(
            f"trial {trial}: full {full[-1][0]:.2f}s, no-op {noop[-1][0]:.2f}s, "
            f"incremental run {incremental[-1][0]:.2f}s ({incremental[-1][3].strip()})"
        )
    sh(*MAKE, "--out", corpus, "--mutate", 10, "--round", 0)

    files = site_line(full[-1][3])[1]
    print(
        f"\ncorpus {args.size}: {total_items} items, {files} site files; {args.trials} trials, "
        f"medians; site on {filesystem_of(work)}"
    )
    print(f"{'phase':<22} {'wall s':>7} {'build s':>8} {'written':>8} {'RSS MB':>7}")
    phases = (("full build", full), ("no-op build", noop), ("run + 50 new items", incremental))
    for name, runs in phases:
        wall = statistics.median(r[0] for r in runs)
        build = statistics.median(site_line(r[3])[2] for r in runs)
        written = statistics.median(site_line(r[3])[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        print(f"{name:<22} {wall:7.2f} {build:8.2f} {written:8.0f} {rss:7.0f}")


if __name__ == "__main__":
    main()
