"""``rsspress init``: the commented example config, its output set to the format asked for."""

from __future__ import annotations

from rsspress.config import EXAMPLE_CONFIG

# Where each format's posts (or site) go: that tool's usual folder.
OUTPUT_FOLDERS = {"hexo": "posts", "hugo": "content/posts", "jekyll": "_posts", "html": "site"}


def example_config(output_format: str) -> str:
    """The example config with its one output writing ``output_format``."""
    text = EXAMPLE_CONFIG.replace(
        "\n  dir: posts            #", f"\n  dir: {OUTPUT_FOLDERS[output_format]:<17}#", 1
    )
    return text.replace("\n  format: hexo          #", f"\n  format: {output_format:<14}#", 1)
