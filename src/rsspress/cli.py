"""The ``rsspress`` command. Thin: it parses arguments, calls the library, shows results.

Exit codes: 0 all well; 1 some feeds failed (the others were published);
2 bad config or usage (nothing ran), including another run holding the state.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
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
from rsspress.pipeline import FeedReport, RunSummary, run_update
from rsspress.publish.hugo import site_config_note as hugo_site_config_note
from rsspress.publish.site import SiteReport
from rsspress.store import FeedState, StateError, Store, StoreLocked
from rsspress.urls import host_port, redact_text, redact_url

EXIT_OK, EXIT_FEEDS_FAILED, EXIT_USAGE = 0, 1, 2

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
        _err().print(f"[red]error:[/] {exc}", highlight=False)
        raise SystemExit(EXIT_USAGE) from None


def _load(path: Path) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        _err().print(f"[bold red]config error:[/] {exc}", highlight=False)
        raise SystemExit(EXIT_USAGE) from None


def _listen(value: str) -> tuple[str, int]:
    try:
        return host_port(value)
    except ValueError as exc:
        _err().print(f"[red]error:[/] --listen: {exc}", highlight=False)
        raise SystemExit(EXIT_USAGE) from None


def _err() -> Console:
    return Console(stderr=True)


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
def init(path: Path, force: bool, output_format: str) -> None:
    """Write a commented example config to PATH."""
    if path.exists() and not force:
        _err().print(f"[red]error:[/] {path} exists; use --force to overwrite it")
        raise SystemExit(EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_example_config(output_format), encoding="utf-8")
    click.echo(f"wrote {path}; edit its feeds, then run: rsspress run -c {path}")
    if output_format == "hugo":
        click.echo("\n" + hugo_site_config_note())


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
                f"[red]failed[/] {report.feed.label}: {report.error.kind}: "
                f"{redact_text(report.error.message)}",
                highlight=False,
            )

    started = time.monotonic()
    try:
        with progress:
            summary = run_update(config, force=force, on_start=on_start, on_feed=on_feed)
    except StoreLocked as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        raise SystemExit(EXIT_USAGE) from None
    _print_summary(summary, time.monotonic() - started, config)
    raise SystemExit(summary.exit_code)


def _print_summary(summary: RunSummary, elapsed: float, config: Config) -> None:
    for report in summary.failures:
        assert report.error is not None
        click.echo(
            f"failed: {report.feed.label} ({redact_url(report.feed.url)}): "
            f"{report.error.kind}: {redact_text(report.error.message)}",
            err=True,
        )
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
    if summary.failed:
        click.echo(
            "failed feeds are retried on later runs with backoff; "
            "`rsspress status` shows them, `rsspress run --force` retries them now",
            err=True,
        )


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
        _err().print(
            f"[red]error:[/] {config_path} has no output with format: html; "
            "posts (hexo, hugo, jekyll) are written by `rsspress run`",
            highlight=False,
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
        _err().print(f"[red]error:[/] {config_path} has no output with format: html")
        raise SystemExit(EXIT_USAGE)
    out = config.site_outputs[0]
    host, port = _listen(listen or out.listen)
    if not is_loopback(host):
        _err().print(
            f"[yellow]warning:[/] listening on {host} exposes the preview to the network;"
            " serve is for previews on this machine (use 127.0.0.1). To publish the site,"
            f" serve {out.dir} with a web server.",
            highlight=False,
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
        _err().print(f"[red]error:[/] {exc}", highlight=False)
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
        _err().print(f"[red]error:[/] daemon.metrics_listen {config.daemon.metrics_listen}: {exc}")
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
        _err().print(f"[red]error:[/] {opml_file}: {exc}", highlight=False)
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
        _err().print(f"[red]error:[/] the proxy needs {MISSING_KEY}", highlight=False)
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
    config = _load(config_path)
    with Store(config.state) as store:
        store.sync_feeds(config.feeds)
        states = store.feed_states()
    rows = sorted(
        (states[f.key] for f in config.feeds),
        key=lambda s: (_STATUS_ORDER.get(_health(s), 3), s.group, s.site, s.name),
    )
    if as_json:
        click.echo(json.dumps([_state_json(s) for s in rows], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} feeds")
    for column in ("feed", "state", "last fetch", "last ok", "error", "next due", "items"):
        table.add_column(column, overflow="fold")
    now = time.time()
    for s in rows:
        health = _health(s)
        colour = {"failing": "red", "dead": "red", "new": "yellow"}.get(health, "green")
        # Messages recorded before secrets were kept out of them may still hold some.
        error = f"{s.error_kind}: {redact_text(s.error_message or '')}" if s.error_kind else ""
        if s.dead_reason:
            error = f"{s.dead_reason}; last: {error}"
        table.add_row(
            " / ".join((s.group, s.site, s.name)),
            f"[{colour}]{health}[/]",
            _ago(s.last_fetch_at, now),
            _ago(s.last_ok_at, now),
            error,
            "never (dead; run --force revives)"
            if s.dead_reason
            else f"now, by {worker}"
            if (worker := _fetching_by(s, now))
            else _when(_next_due(s), now),
            str(s.item_count),
        )
    Console().print(table)


_STATUS_ORDER = {"failing": 0, "dead": 1, "new": 2}  # then ok and not modified


def _health(s: FeedState) -> str:
    if s.dead_reason is not None:
        return "dead"
    if s.last_outcome is None:
        return "new"
    return "failing" if s.last_outcome == "error" else s.last_outcome.replace("_", " ")


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
    }


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
