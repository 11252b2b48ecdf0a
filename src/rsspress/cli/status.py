"""``rsspress status``: each feed's health, as a table or as JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from rsspress.cli.common import ago, config_option, load, when
from rsspress.cli.status_view import by_urgency, feed_table, output_console, state_json
from rsspress.store import Store


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status(config_path: Path, as_json: bool) -> None:
    """Show each feed's health: last fetch, last error, next attempt, items."""
    from rsspress.rsshub import state as hub
    from rsspress.rsshub import status as hub_status

    config = load(config_path)
    now = time.time()
    with Store(config.state) as store:
        store.sync_feeds(config.feeds)
        states = store.feed_states()
        served = hub.feed_instances(store, config.feeds, now)  # RSSHub routes' instances
        instances = hub.instance_statuses(store, config.feeds, now)
    rows = by_urgency(states[f.key] for f in config.feeds)
    if as_json:
        data = [{**state_json(s, now), **hub_status.feed_json(served.get(s.key))} for s in rows]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = output_console()
    console.print(feed_table(rows, served, now))
    if instances:
        console.print(
            hub_status.instances_table(instances, lambda t: ago(t, now), lambda t: when(t, now))
        )
