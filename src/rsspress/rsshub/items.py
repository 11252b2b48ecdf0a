"""Item keys of RSSHub routes that do not change with the instance serving them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from rsspress.config import FeedConfig
from rsspress.item_keys import KnownItems
from rsspress.new_items import NewItems, new_items
from rsspress.parse import FeedItem
from rsspress.rsshub.routes import Instance, instance_independent


def new_items_of(
    feed: FeedConfig, items: Iterable[FeedItem], known: KnownItems, limit: int | None = None
) -> NewItems:
    """:func:`rsspress.new_items.new_items` for a feed; for an ``rsshub:/`` route, with each
    guid, link and enclosure on one of its instances read as ``rsshub:/…`` first.

    The same item seen through another instance then keeps its key, and so its post
    (the item itself, links and all, is published as it came). Keys recorded before
    (``guid:https://rsshub.app/…``) are read the same way, so none is published again.
    """
    if feed.route is None:
        return new_items(items, known, limit)
    on = _Instances(feed.route.instances)
    originals: dict[int, FeedItem] = {}
    keyed: list[FeedItem] = []
    for item in items:
        guid, link = on.independent(item.guid), on.independent(item.link)
        enclosures = tuple(on.independent(url) or url for url in item.enclosure_urls)
        if (guid, link, enclosures) != (item.guid, item.link, item.enclosure_urls):
            as_keyed = dataclasses.replace(item, guid=guid, link=link, enclosure_urls=enclosures)
        else:
            as_keyed = item
        originals[id(as_keyed)] = item
        keyed.append(as_keyed)
    seen = {on.independent_key(key): remembered for key, remembered in known.items()}
    fresh = new_items(keyed, seen, limit)
    return dataclasses.replace(
        fresh, items=tuple((key, originals[id(item)]) for key, item in fresh.items)
    )


class _Instances:
    """A route's instances, and URLs on them read as ``rsshub:/…``."""

    def __init__(self, instances: tuple[Instance, ...]) -> None:
        self.instances = instances
        self.hosts = tuple({instance.id.partition("/")[0] for instance in instances})

    def independent(self, url: str | None) -> str | None:
        if not url or not any(host in url.lower() for host in self.hosts):
            return url  # the usual case, decided without parsing the URL
        return instance_independent(url, self.instances)

    def independent_key(self, key: str) -> str:
        """A recorded item key (``guid:…``, ``link#…:…``) with an instance's URL in it read
        as ``rsshub:/…``."""
        kind, colon, value = key.partition(":")
        if not colon or kind.startswith("hash"):
            return key
        return f"{kind}:{self.independent(value)}"
