"""The site's search index: shards of entries by item id, so old shards never change, and
an index of the shards that search.js reads. Pure."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

from rsspress.publish.site.entries import Entry
from rsspress.publish.site.writer import Plan

SEARCH_SHARD = 2000  # items per search index file, by item id: old shards never change


def plan_search(
    plan: Plan, entries: list[Entry], fingerprint: str, search_page: Callable[[], bytes]
) -> None:
    shards: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        shards[entry.id // SEARCH_SHARD].append(entry)
    index = []
    for number, shard in sorted(shards.items()):
        name = f"s{number}.json"
        key = fingerprint + ":" + ",".join(str(e.id) for e in shard)
        plan.add(f"search/{name}", key, lambda e=shard: render_shard(e))  # type: ignore[misc]
        index.append({"file": name, "items": len(shard)})
    data = json.dumps({"shards": index}, ensure_ascii=False).encode()
    plan.add("search/index.json", fingerprint + data.decode(), lambda: data)
    plan.add("search/index.html", fingerprint, search_page)


def render_shard(entries: list[Entry]) -> bytes:
    rows = [
        [e.slug, e.title, e.summary, e.when.isoformat(), e.feed.title, e.cover or ""]
        for e in entries
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
