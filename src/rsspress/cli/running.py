"""``rsspress run``: fetch the feeds once, write the new posts, print what happened."""

from __future__ import annotations

import shlex
import signal
import threading
import time
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rsspress.cli.common import config_option, err_console, error, load, print_site, when
from rsspress.config import Config
from rsspress.exits import EXIT_USAGE
from rsspress.store import StoreLocked
from rsspress.update import FeedReport, RunSummary, run_update
from rsspress.urls import redact_text, redact_url


@click.command()
@config_option
@click.option("--force", is_flag=True, help="Fetch every feed now, even those backing off.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def run(config_path: Path, force: bool, quiet: bool) -> None:
    """Fetch the feeds and write a post for every new item."""
    config = load(config_path)
    console = err_console()
    show_progress = console.is_terminal and not quiet
    progress = Progress(
        TextColumn("[bold]fetching"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[posts]} posts"),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
    )
    task = progress.add_task("feeds", total=0, posts=0)
    posts = 0

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_feed(report: FeedReport) -> None:
        nonlocal posts
        posts += report.posts_written
        progress.update(task, advance=1, posts=posts)
        if report.error is not None and show_progress:
            progress.console.print(
                "[red]failed[/] "
                + escape(
                    f"{report.feed.label}: {report.error.kind}: {redact_text(report.error.message)}"
                ),
                highlight=False,
            )

    # Ctrl-C stops fetching; the posts being written are finished, recorded and built
    # into the site. Nothing is printed here: a signal may interrupt a write to stderr.
    stop = threading.Event()

    def on_interrupt(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        stop.set()

    signal.signal(signal.SIGINT, on_interrupt)
    started = time.monotonic()
    try:
        with progress:
            summary = run_update(config, force=force, on_start=on_start, on_feed=on_feed, stop=stop)
    except StoreLocked as exc:
        error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    print_summary(summary, time.monotonic() - started, config, quiet=quiet)
    raise SystemExit(summary.exit_code)


def print_summary(summary: RunSummary, elapsed: float, config: Config, *, quiet: bool) -> None:
    for report in summary.failures:
        assert report.error is not None
        click.echo(
            f"failed: {report.feed.label} ({redact_url(report.feed.url)}): "
            f"{report.error.kind}: {redact_text(report.error.message)}",
            err=True,
        )
    for report in summary.incomplete:  # fetched, with items left for later fetches
        click.echo(
            f"incomplete: {report.feed.label} ({redact_url(report.feed.url)}): "
            f"{report.left_out.describe()}",
            err=True,
        )
    now = time.time()
    for state in summary.still_failing:  # not fetched now: backing off, or dead
        next_try = (
            "dead, until `rsspress run --force`"
            if state.dead_reason
            else f"next try {when(state.next_attempt_at, now)}"
        )
        click.echo(
            f"still failing: {' / '.join((state.group, state.site, state.name))}"
            f" ({redact_url(state.url)}): {state.error_kind}:"
            f" {redact_text(state.error_message or '')}; {next_try}",
            err=True,
        )
    if summary.interrupted:
        skipped = f", {summary.skipped} left for the next run" if summary.skipped else ""
    else:
        skipped = f", {summary.skipped} backing off" if summary.skipped else ""
    filtered = f", {summary.filtered} filtered out" if summary.filtered else ""
    if summary.pruned:
        filtered += f", {summary.pruned} old posts removed"
    click.echo(
        f"{summary.fetched} fetched, {summary.not_modified} not modified, "
        f"{summary.failed} failed{skipped}; {summary.posts_written} posts written{filtered} "
        f"to {', '.join(str(out.dir) for out in config.post_outputs) or 'the state'} "
        f"in {elapsed:.1f}s"
    )
    for out, site in zip(config.site_outputs, summary.sites, strict=True):
        print_site(out, site)
    if summary.failed or summary.still_failing:
        click.echo(
            "failed feeds are retried on later runs with backoff; "
            "`rsspress status` shows them, `rsspress run --force` retries them now",
            err=True,
        )
    if summary.interrupted:
        click.echo(
            f"interrupted: the {summary.posts_written} posts written are recorded"
            + (" and in the site" if config.site_outputs else "")
            + "; the next `rsspress run` publishes the rest",
            err=True,
        )
    if config.site_outputs and not quiet:
        click.echo(f"look at the site: rsspress serve -c {shlex.quote(str(config.path))}")
