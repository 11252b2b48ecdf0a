"""Build (or bring up to date) the HTML sites: plan every file in memory, then one writer."""

from __future__ import annotations

import dataclasses
import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rsspress.atomic import remove_stale_temp_files
from rsspress.config import Config, OutputConfig
from rsspress.publish.site.bodies import BodyLoader
from rsspress.publish.site.plan import SiteModel
from rsspress.publish.site.writer import SiteReport, write_plan
from rsspress.store.protocols import SiteStore


def build_sites(config: Config, store: SiteStore) -> list[SiteReport]:
    return [build_site(config, out, store) for out in config.site_outputs]


def build_site(config: Config, out: OutputConfig, store: SiteStore) -> SiteReport:
    """Build (or bring up to date) one HTML site from the state."""
    started = time.perf_counter()
    out.dir.mkdir(parents=True, exist_ok=True)
    with _site_lock(out.dir):
        remove_stale_temp_files(out.dir)
        for sub in ("a", "static", "search"):
            remove_stale_temp_files(out.dir / sub)
        site = SiteModel(config, out, store.site_items())
        bodies = BodyLoader(store, config)
        report = write_plan(out.dir, site.plan(bodies), bodies.preload)
    return dataclasses.replace(report, seconds=time.perf_counter() - started)


@contextmanager
def _site_lock(directory: Path) -> Iterator[None]:
    """One builder per site at a time (`rsspress serve` and a run may both build)."""
    with open(directory / ".rsspress-site.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
