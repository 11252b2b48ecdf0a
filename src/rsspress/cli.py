"""The ``rsspress`` command. Thin: it parses arguments, calls the library, shows results.

Exit codes (rsspress.exits): 0 all well; 1 some feeds failed or are still failing (the
others were published); 2 bad config or usage (nothing ran), including another run
holding the state; 3 every feed failed; 130 interrupted (what was written is kept).

Messages go to stderr as plain text (soft-wrapped: a pipe or a log gets whole lines),
and every value in them is escaped, so that no word in brackets is taken for markup.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rsspress import __version__
from rsspress.config import (
    EXAMPLE_CONFIG,
    FORMATS,
    Config,
    ConfigError,
    OutputConfig,
    load_config,
)
from rsspress.decide import LeftOut
from rsspress.exits import EXIT_INTERRUPTED, EXIT_USAGE
from rsspress.pipeline import FeedReport, RunSummary, run_update
from rsspress.publish.hugo import site_config_note as hugo_site_config_note
from rsspress.publish.site import SiteReport
from rsspress.scaffold.github import DEFAULT_CRON, DEFAULT_PACKAGE
from rsspress.store import FeedState, StateError, Store, StoreLocked
from rsspress.urls import host_port, redact_text, redact_url

config_option = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="rsspress.yaml",
    show_default=True,
    envvar="RSSPRESS_CONFIG",
    help="Config file (also $RSSPRESS_CONFIG).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rsspress")
def cli() -> None:
    """Mirror RSS, Atom and JSON feeds (RSSHub routes too) into a static news site."""


def main() -> None:
    try:
        cli(prog_name="rsspress")
    except StateError as exc:  # the state can't be opened: say why and what to do, no trace
        _error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:  # a second Ctrl-C: stop now (every write is atomic)
        _error("interrupted", label="stopped")
        raise SystemExit(EXIT_INTERRUPTED) from None


def _load(path: Path) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        _error(str(exc), label="config error")
        raise SystemExit(EXIT_USAGE) from None


def _listen(value: str) -> tuple[str, int]:
    try:
        return host_port(value)
    except ValueError as exc:
        _error(f"--listen: {exc}")
        raise SystemExit(EXIT_USAGE) from None


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _error(message: str, *, label: str = "error", style: str = "red") -> None:
    """``label: message`` on stderr; the message is text, never markup."""
    _err().print(f"[{style}]{label}:[/] {escape(message)}", highlight=False)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="rsspress.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="hexo",
    show_default=True,
    help="What the config's output writes (in that tool's usual folder).",
)
@click.option(
    "--github-actions",
    is_flag=True,
    help="Write .github/workflows/rsspress.yml for the repository holding the config"
    " (the config too, if there is none).",
)
@click.option(
    "--systemd",
    "systemd_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write systemd units for the config into this folder (the config too, if none).",
)
@click.option(
    "--package",
    default=DEFAULT_PACKAGE,
    show_default=True,
    help="What the workflow installs with pip: a version, or a git+https:// URL.",
)
@click.option(
    "--cron", default=DEFAULT_CRON, show_default=True, help="When the workflow runs (UTC)."
)
def init(
    path: Path,
    force: bool,
    output_format: str,
    github_actions: bool,
    systemd_dir: Path | None,
    package: str,
    cron: str,
) -> None:
    """Write a commented example config to PATH; or, with --github-actions or --systemd,
    what runs it (then --force overwrites those files, and an existing config is kept)."""
    deploying = github_actions or systemd_dir is not None
    if deploying and path.exists():
        _deploy_files(path, github_actions, systemd_dir, package=package, cron=cron, force=force)
        return
    if path.exists() and not force:
        _error(f"{path} exists; use --force to overwrite it")
        raise SystemExit(EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_example_config(output_format), encoding="utf-8")
    click.echo(f"wrote {path}; edit its feeds, then run: rsspress run -c {path}")
    if output_format == "hugo":
        click.echo("\n" + hugo_site_config_note())
    if deploying:
        _deploy_files(path, github_actions, systemd_dir, package=package, cron=cron, force=force)


def _deploy_files(
    path: Path, github_actions: bool, systemd_dir: Path | None, **options: Any
) -> None:
    """Write the workflow or the units that run the config at ``path``."""
    from rsspress.scaffold import ScaffoldError, deployment

    config = _load(path)
    try:
        for line in deployment(config, github_actions, systemd_dir, **options):
            click.echo(line)
    except ScaffoldError as exc:
        _error(str(exc))
        raise SystemExit(EXIT_USAGE) from None


def _example_config(output_format: str) -> str:
    """The example config with its one output writing ``output_format``."""
    folder = {"hexo": "posts", "hugo": "content/posts", "jekyll": "_posts", "html": "site"}
    text = EXAMPLE_CONFIG.replace(
        "\n  dir: posts            #", f"\n  dir: {folder[output_format]:<17}#", 1
    )
    return text.replace("\n  format: hexo          #", f"\n  format: {output_format:<14}#", 1)


@cli.command()
@config_option
@click.option("--force", is_flag=True, help="Fetch every feed now, even those backing off.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def run(config_path: Path, force: bool, quiet: bool) -> None:
    """Fetch the feeds and write a post for every new item."""
    config = _load(config_path)
    console = _err()
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
        _error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    _print_summary(summary, time.monotonic() - started, config, quiet=quiet)
    raise SystemExit(summary.exit_code)


def _print_summary(summary: RunSummary, elapsed: float, config: Config, *, quiet: bool) -> None:
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
        when = (
            "dead, until `rsspress run --force`"
            if state.dead_reason
            else f"next try {_when(state.next_attempt_at, now)}"
        )
        click.echo(
            f"still failing: {' / '.join((state.group, state.site, state.name))}"
            f" ({redact_url(state.url)}): {state.error_kind}:"
            f" {redact_text(state.error_message or '')}; {when}",
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
        _print_site(out, site)
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


def _print_site(out: OutputConfig, report: SiteReport) -> None:
    click.echo(
        f"site {out.dir}: {report.written} files written, {report.removed} removed, "
        f"{report.pages - report.written} unchanged, in {report.seconds:.1f}s"
    )


@cli.command()
@config_option
def build(config_path: Path) -> None:
    """Build the HTML site outputs from the state, without fetching."""
    from rsspress.publish.site import build_sites

    config = _load(config_path)
    if not config.site_outputs:
        _error(
            f"{config_path} has no output with format: html; "
            "posts (hexo, hugo, jekyll) are written by `rsspress run`"
        )
        raise SystemExit(EXIT_USAGE)
    with Store(config.state) as store:
        reports = build_sites(config, store)
    for out, report in zip(config.site_outputs, reports, strict=True):
        _print_site(out, report)


@cli.command()
@config_option
@click.option("--listen", help="host:port (default: the site output's listen, 127.0.0.1:8000).")
def serve(config_path: Path, listen: str | None) -> None:
    """Preview the HTML site on 127.0.0.1, rebuilt whenever the state changes."""
    from rsspress.publish.site.serve import ListenError, is_loopback, serve_site

    config = _load(config_path)
    if not config.site_outputs:
        _error(f"{config_path} has no output with format: html")
        raise SystemExit(EXIT_USAGE)
    out = config.site_outputs[0]
    host, port = _listen(listen or out.listen)
    if not is_loopback(host):
        _error(
            f"listening on {host} exposes the preview to the network;"
            " serve is for previews on this machine (use 127.0.0.1). To publish the site,"
            f" serve {out.dir} with a web server.",
            label="warning",
            style="yellow",
        )
    try:
        serve_site(
            config,
            out,
            host,
            port,
            on_build=lambda report: _print_site(out, report),
            on_ready=lambda url: click.echo(f"serving {out.dir} at {url} (Ctrl-C stops)"),
        )
    except ListenError as exc:
        _error(str(exc))
        raise SystemExit(EXIT_USAGE) from None


@cli.command()
@config_option
def daemon(config_path: Path) -> None:
    """Run until stopped: fetch each feed when due, publish in batches, serve /metrics.

    SIGTERM or SIGINT (Ctrl-C) finishes the update in hand, publishes it, and exits.
    """
    import logging
    import signal
    import threading

    from rsspress.daemon import Daemon

    config = _load(config_path)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        logging.getLogger("rsspress.daemon").info(
            "%s: finishing the work in hand", signal.Signals(signum).name
        )
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner = Daemon(config)
    try:
        metrics = runner.serve_metrics()
    except OSError as exc:
        _error(f"daemon.metrics_listen {config.daemon.metrics_listen}: {exc}")
        raise SystemExit(EXIT_USAGE) from None
    logging.getLogger("rsspress.daemon").info(
        "watching %d feeds%s", len(config.feeds), f"; metrics at {metrics}" if metrics else ""
    )
    runner.run(stop)


@cli.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def import_(opml_file: Path, config_path: Path) -> None:
    """Add the feeds of an OPML file to the config (outlines: group / site / feed)."""
    from rsspress.opml import OpmlError, import_into_config, importable, read_opml

    try:
        feeds, skipped = importable(read_opml(opml_file.read_bytes()))
    except OpmlError as exc:
        _error(f"{opml_file}: {exc}")
        raise SystemExit(EXIT_USAGE) from None
    for skip in skipped:
        # repr(): names and URLs come from the file, and may hold terminal escape codes.
        label = f"{skip.feed.group} / {skip.feed.site} / {skip.feed.name}"
        click.echo(f"skipped {label!r}: {redact_url(skip.feed.url)!r}: {skip.reason}", err=True)
    result = import_into_config(config_path, feeds)
    _load(config_path)  # what was written must load; a config error here exits 2
    click.echo(
        f"imported {result.added} feeds into {config_path}"
        + (f"; {result.present} were already there" if result.present else "")
        + (f"; {len(skipped)} skipped: only http(s) feeds are imported" if skipped else "")
    )


@cli.command()
@config_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
def export(config_path: Path, output: Path | None) -> None:
    """Write the config's feeds as OPML 2.0.

    Secrets in feed URLs (passwords, ?key= and other secret parameters) are
    written as ***: an OPML gets shared. The config keeps them; fill them in
    again after importing the file elsewhere.
    """
    from rsspress.opml import write_opml

    feeds = _load(config_path).feeds
    text = write_opml(feeds)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    redacted = sum(any(u and redact_url(u) != u for u in (f.url, f.home)) for f in feeds)
    if redacted:
        click.echo(
            f"note: {redacted} feed URLs have secrets (a password, ?key= or the like), "
            "written as ***; your config keeps them",
            err=True,
        )


@cli.command()
@config_option
@click.option("--listen", help="host:port to listen on (default: images.proxy_listen).")
def proxy(config_path: Path, listen: str | None) -> None:
    """Serve images through signed URLs (images.proxy: self), refusing private addresses."""
    from rsspress.config import MISSING_KEY, parse_networks
    from rsspress.proxy.server import ProxySettings, serve

    config = _load(config_path)
    images = config.images
    if not images.proxy_key:
        _error(f"the proxy needs {MISSING_KEY}")
        raise SystemExit(EXIT_USAGE)
    host, port = _listen(listen or images.proxy_listen)
    metrics_host, metrics_port = (
        _listen(images.proxy_metrics_listen) if images.proxy_metrics_listen else (None, 0)
    )
    serve(
        ProxySettings(
            metrics_host=metrics_host,
            metrics_port=metrics_port,
            key=images.proxy_key,
            host=host,
            port=port,
            allowed_networks=parse_networks(images.proxy_allow),
            max_bytes=images.proxy_max_bytes,
            allow_svg=images.proxy_svg,
            cache_dir=images.proxy_cache_dir,
            cache_max_bytes=images.proxy_cache_max_bytes,
            rules=config.content.rules,
        )
    )


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status(config_path: Path, as_json: bool) -> None:
    """Show each feed's health: last fetch, last error, next attempt, items."""
    from rsspress.rsshub import state as hub
    from rsspress.rsshub import status as hub_status

    config = _load(config_path)
    now = time.time()
    with Store(config.state) as store:
        store.sync_feeds(config.feeds)
        states = store.feed_states()
        served = hub.feed_instances(store, config.feeds, now)  # RSSHub routes' instances
        instances = hub.instance_statuses(store, config.feeds, now)
    rows = sorted(
        (states[f.key] for f in config.feeds),
        key=lambda s: (_STATUS_ORDER.get(_health(s), 3), s.group, s.site, s.name),
    )
    if as_json:
        data = [{**_state_json(s), **hub_status.feed_json(served.get(s.key))} for s in rows]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} feeds")
    for column in ("feed", "state", "last fetch", "last ok", "error", "next due", "items"):
        table.add_column(column, overflow="fold")
    if served:
        table.add_column("instance", overflow="fold")
    for s in rows:
        health = _health(s)
        colour = {"failing": "red", "dead": "red", "new": "yellow", "malformed": "yellow"}.get(
            health, "green"
        )
        # Messages recorded before secrets were kept out of them may still hold some.
        error = f"{s.error_kind}: {redact_text(s.error_message or '')}" if s.error_kind else ""
        if s.dead_reason:
            error = f"{s.dead_reason}; last: {error}"
        elif s.last_outcome != "error":
            error = LeftOut(s.malformed, s.held_back, s.deferred).describe()
        table.add_row(  # names and errors are text, not markup
            escape(" / ".join((s.group, s.site, s.name))),
            f"[{colour}]{health}[/]",
            _ago(s.last_fetch_at, now),
            _ago(s.last_ok_at, now),
            escape(error),
            "never (dead; run --force revives)"
            if s.dead_reason
            else f"now, by {worker}"
            if (worker := _fetching_by(s, now))
            else _when(_next_due(s), now),
            str(s.item_count) + _unreadable_dates_note(s),
            *([hub_status.feed_cell(served.get(s.key))] if served else []),
        )
    Console().print(table)
    if instances:
        when = (lambda t: _ago(t, now)), (lambda t: _when(t, now))
        Console().print(hub_status.instances_table(instances, *when))


_STATUS_ORDER = {"failing": 0, "dead": 1, "new": 2, "malformed": 2}  # then ok and not modified


def _health(s: FeedState) -> str:
    if s.dead_reason is not None:
        return "dead"
    if s.last_outcome is None:
        return "new"
    if s.last_outcome == "error":
        return "failing"
    return "malformed" if s.malformed else s.last_outcome.replace("_", " ")


def _fetching_by(s: FeedState, now: float) -> str | None:
    """The worker (host:pid) fetching the feed now, if one holds a live lease on it."""
    if s.lease_owner is None or s.lease_until is None or s.lease_until <= now:
        return None
    return s.lease_owner.rpartition(":")[0]


def _state_json(s: FeedState) -> dict[str, Any]:
    def iso(t: float | None) -> str | None:
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat() if t else None

    return {
        "group": s.group,
        "site": s.site,
        "name": s.name,
        "url": redact_url(s.url),  # the state keeps the URL with its secrets; this is printed
        "state": _health(s),
        "last_fetch": iso(s.last_fetch_at),
        "last_ok": iso(s.last_ok_at),
        "error_kind": s.error_kind,
        "error": redact_text(s.error_message) if s.error_message else s.error_message,
        "failures": s.failures,
        "next_attempt": iso(s.next_attempt_at),
        "next_due": iso(_next_due(s)),
        "dead_reason": s.dead_reason,
        "fetching_by": _fetching_by(s, time.time()),
        "items": s.item_count,
        "malformed": s.malformed,  # the parser's message: the last document was damaged
        "held_back": s.held_back,  # items of it cut off, not published yet
        "deferred": s.deferred,  # new items of it over fetch.max_new_items, for later fetches
        "unreadable_dates": s.unreadable_dates,  # items of it dated when first seen instead
    }


def _unreadable_dates_note(s: FeedState) -> str:
    """Items of the last document whose date no reader understood (dated when first seen)."""
    n = s.unreadable_dates
    return f" ({n} unreadable date{'' if n == 1 else 's'})" if n else ""


def _next_due(s: FeedState) -> float | None:
    """A failing feed's next try, else a healthy feed's next poll (the daemon's schedule)."""
    return s.next_attempt_at if s.last_outcome == "error" else s.next_poll_at


def _ago(t: float | None, now: float) -> str:
    if t is None:
        return "never"
    return _span(now - t) + " ago"


def _when(t: float | None, now: float) -> str:
    if t is None or t <= now:
        return "next run"
    return "in " + _span(t - now)


def _span(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


if __name__ == "__main__":  # pragma: no cover
    main()
