"""Write tests/data/realworld/release-state.json: the state a release wrote for the real-world feeds.

The upgrade test (tests/test_realworld.py) loads these rows into a state of the release's
schema and runs the current rsspress on the same feeds: nothing the release published may be
published again. The rows must come from the release itself, so this script runs the
``rsspress`` found in ``--src`` (a release's ``src`` folder), for instance:

    git archive b15158d src | tar -x -C /tmp/release
    python tests/make_release_state.py --src /tmp/release/src

It runs ``rsspress run`` on the files in ``UPGRADE_FEEDS`` and dumps the feeds and items tables.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REALWORLD = Path(__file__).resolve().parent / "data" / "realworld"
OUT = REALWORLD / "release-state.json"
GROUP, SITE = "升级", "现实"
UPGRADE_FEEDS = (
    "keys-shared-link.xml",
    "keys-podcast.xml",
    "keys-microblog.json",
    "guid-repeat.xml",
    "truncated-full.xml",
    "malformed-control-char.xml",
)


def feed_name(file: str) -> str:
    return file.rpartition(".")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True, help="the release's src folder")
    parser.add_argument("--commit", required=True, help="the release's commit, for the record")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        feeds = "\n".join(f"      {feed_name(f)}: {REALWORLD / f}" for f in UPGRADE_FEEDS)
        (directory / "rsspress.yaml").write_text(
            f"output: {{dir: posts, format: hexo, profile: default}}\nstate: state.db\n"
            f"feeds:\n  {GROUP}:\n    {SITE}:\n{feeds}\n",
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
        subprocess.run(
            [sys.executable, "-m", "rsspress", "run"], cwd=directory, env=env, check=True
        )
        with sqlite3.connect(directory / "state.db") as db:
            db.row_factory = sqlite3.Row
            version = db.execute("PRAGMA user_version").fetchone()[0]
            feeds_rows = [dict(r) for r in db.execute("SELECT * FROM feeds ORDER BY key")]
            items_rows = [dict(r) for r in db.execute("SELECT * FROM items ORDER BY id")]
    for row in feeds_rows:  # where the files were: the test serves them over HTTP instead
        row["url"] = row["url"].rpartition("/")[2]
    data = {
        "about": "written by tests/make_release_state.py with rsspress at " + args.commit,
        "schema_version": version,
        "feeds": feeds_rows,
        "items": items_rows,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(items_rows)} items of {len(feeds_rows)} feeds, schema {version}")


if __name__ == "__main__":
    main()
