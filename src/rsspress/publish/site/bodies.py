"""Item bodies for the site's pages and feeds, read from the state only for the files that
are rendered; an item published before the site existed is cleaned now, as a run would."""

from __future__ import annotations

from collections.abc import Iterable

from rsspress.config import Config
from rsspress.content import placeholder_number, prepare_body
from rsspress.content.rules import rule_for
from rsspress.model import Profile
from rsspress.publish.site.entries import Entry
from rsspress.store.protocols import SiteStore
from rsspress.urls import without_secrets


class BodyLoader:
    """Item bodies, read from the state only for the pages that are rendered."""

    def __init__(self, store: SiteStore, config: Config) -> None:
        self.store = store
        self.config = config
        self.cache: dict[int, str] = {}

    def preload(self, entries: Iterable[Entry]) -> None:
        missing = [e for e in entries if e.id not in self.cache]
        if not missing:
            return
        found = self.store.site_bodies(e.id for e in missing)
        for entry in missing:
            stored = found.get(entry.id)
            if stored is None:
                self.cache[entry.id] = ""
            elif stored.body is not None:
                self.cache[entry.id] = stored.body
            else:
                self.cache[entry.id] = clean_late(self.config, entry, stored.content)

    def body(self, entry: Entry) -> str:
        if entry.id not in self.cache:
            self.preload([entry])
        return self.cache[entry.id]


def clean_late(config: Config, entry: Entry, content: str) -> str:
    """The body of an item published before the site existed: cleaned now, as a run would."""
    assert entry.feed.feed is not None
    rule = rule_for(config.content.rules, entry.feed.feed, entry.link)
    return prepare_body(
        content,
        base_url=entry.link or without_secrets(entry.feed.feed.url),
        images=config.images,
        profile=Profile.DEFAULT,
        placeholder_n=placeholder_number(entry.slug),
        content=config.content,
        rule=rule,
    ).html
