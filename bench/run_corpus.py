"""rsspress on the shared workload: cold, warm and incremental runs of a corpus.

    python bench/run_corpus.py [--size M] [--trials 3] [--profile default] [--port 8765]

Generates the corpus with shared/bench/make_corpus.py (once), serves it with
shared/bench/serve.sh (nginx on 127.0.0.1), then in each trial times, each as
its own process: a limit run (aiohttp fetching every feed, no parsing), a cold
`rsspress run` (empty state), a warm one (nothing changed: all 304) and an
incremental one (`--mutate 10 --round 1`: 10 % of the feeds have one new item).
Prints the median wall time, items/s, peak RSS and the ratio to the limit run.
Write-heavy phases are sensitive to the file system (see shared/bench/README.md):
pass --work on a fresh ext4 mount for figures worth quoting; the script says
which file system it used.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("RSSPRESS_SHARED", REPO.parent / "shared"))
SIZES = {"S": (100, 20), "M": (500, 30), "L": (2000, 50)}
MAKE = [sys.executable, SHARED / "bench" / "make_corpus.py"]


def sh(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, **kwargs
    )  # type: ignore[call-overload, no-any-return]


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def timed(args: list[str]) -> tuple[float, float, float, str]:
    """Run a command; return wall s, its own peak RSS MB, its tree's peak RSS MB, stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, tree_rss_mb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()  # the runs print a line or two
    _, status, usage = os.wait4(process.pid, 0)  # reaps it, keeping its own rusage
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{args} failed ({process.returncode}):\n{out}\n{err}")
    own = usage.ru_maxrss / 1024
    return wall, own, max(peak_tree, own), out


def filesystem_of(path: Path) -> str:
    out = sh("df", "--output=source,fstype,target", path).stdout.splitlines()[-1]
    return " ".join(out.split())


def prepare(
    size: str, profile: str, port: int, corpus_root: Path, work: Path
) -> tuple[Path, Path, int]:
    """Generate the corpus (once), serve it with nginx, write an rsspress config for it.

    Returns the config, a file of every feed URL (for the limit run) and the item count.
    """
    feeds, items = SIZES[size]
    corpus = corpus_root / f"corpus-{size}"
    if not (corpus / "manifest.json").exists():
        print(f"generating corpus {size} in {corpus} ...", flush=True)
        sh(*MAKE, "--feeds", feeds, "--items", items, "--seed", 1, "--out", corpus)
    sh(*MAKE, "--out", corpus, "--mutate", 10, "--round", 0)
    serve = SHARED / "bench" / "serve.sh"
    base = f"http://127.0.0.1:{port}"
    # (re)start nginx on this corpus: an instance left on the port may serve another folder
    sh("bash", serve, "stop", port)
    sh("bash", serve, corpus, port)

    work.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((corpus / "manifest.json").read_text())
    config_feeds = yaml.safe_load((corpus / "config.yaml").read_text())["feeds"]
    tree: dict[str, dict[str, dict[str, str]]] = {}
    for feed in config_feeds:
        group, site, name = feed["category"]
        tree.setdefault(group, {}).setdefault(site, {})[name] = f"{base}/{feed['path']}"
    config = work / "rsspress.yaml"
    config.write_text(
        json.dumps(
            {
                "output": {"dir": "posts", "format": "hexo", "profile": profile},
                "state": "state.db",
                "images": {"proxy": "https://cors.zfour.workers.dev/?{url}", "rewrite": "http"},
                "feeds": tree,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    urls = work / "urls.txt"
    urls.write_text("".join(f"{base}/{f['path']}\n" for f in config_feeds), encoding="utf-8")
    return config, urls, int(manifest["items"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="M")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--profile", choices=("default", "compat"), default="default")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--corpus-root", type=Path, default=Path("/tmp/rsspress-bench"))
    parser.add_argument("--work", type=Path, default=None, help="where state and posts go")
    args = parser.parse_args()

    work = args.work or (args.corpus_root / f"work-{args.size}")
    config, urls, total_items = prepare(args.size, args.profile, args.port, args.corpus_root, work)
    corpus = args.corpus_root / f"corpus-{args.size}"
    run = [sys.executable, "-m", "rsspress", "run", "-q", "-c", str(config)]

    results: dict[str, list[tuple[float, float, float, str]]] = {}
    for trial in range(1, args.trials + 1):
        shutil.rmtree(work / "posts", ignore_errors=True)
        for leftover in work.glob("state.db*"):
            leftover.unlink()
        sh(*MAKE, "--out", corpus, "--mutate", 10, "--round", 0)
        limit = timed([sys.executable, str(REPO / "bench" / "limit_fetch.py"), str(urls)])
        results.setdefault("limit", []).append(limit)
        results.setdefault("cold", []).append(timed(run))
        results.setdefault("warm", []).append(timed(run))
        sh(*MAKE, "--out", corpus, "--mutate", 10, "--round", 1)
        results.setdefault("incremental", []).append(timed(run))
        sh(*MAKE, "--out", corpus, "--mutate", 10, "--round", 0)
        print(f"trial {trial}: " + ", ".join(f"{k} {v[-1][0]:.2f}s" for k, v in results.items()))

    limit_wall = statistics.median(run[0] for run in results["limit"])
    print(
        f"\ncorpus {args.size}: {SIZES[args.size][0]} feeds, {total_items} items; profile "
        f"{args.profile}; {args.trials} trials, medians; work dir on {filesystem_of(work)}"
    )
    print(
        f"{'phase':<12} {'wall s':>8} {'items/s':>9} {'RSS MB':>7} {'tree RSS':>9} {'x limit':>8}"
        "  summary (last trial)"
    )
    for phase, runs in results.items():
        wall = statistics.median(run[0] for run in runs)
        rss = statistics.median(run[1] for run in runs)
        tree = statistics.median(run[2] for run in runs)
        rate = f"{total_items / wall:9.0f}" if phase in ("cold", "limit") else f"{'':>9}"
        summary = runs[-1][3].strip().splitlines()[-1] if phase != "limit" else ""
        print(
            f"{phase:<12} {wall:8.2f} {rate} {rss:7.0f} {tree:9.0f} {wall / limit_wall:8.2f}"
            f"  {summary}"
        )


if __name__ == "__main__":
    main()
