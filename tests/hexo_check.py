"""Real Hexo judges posts: tests/hexo/ is a minimal Hexo 8 site with a pinned package-lock.json.

tests/hexo/check-posts.sh installs that Hexo with `npm ci` on first use (cached outside the
repository), builds the posts and fails on any post Hexo drops, breaks or silently changes
(docs/hexo-posts.md). Its last line is always ``hexo: N posts in, M pages out, E errors``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from externals import node_for_hexo

CHECK_POSTS = Path(__file__).resolve().parent / "hexo" / "check-posts.sh"


def check_with_hexo(posts: Path, *, keep: bool = False) -> subprocess.CompletedProcess[str]:
    """Build the ``*.md`` posts in ``posts`` with real Hexo; skip if node or npm is missing.

    ``keep`` keeps the built site and prints ``check-posts: kept DIR``.
    """
    node_for_hexo()
    env = {**os.environ, "QUIET": "1", "KEEP": "1" if keep else "0"}
    return subprocess.run(
        ["bash", str(CHECK_POSTS), str(posts)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
