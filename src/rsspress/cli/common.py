"""What every command shares: the --config option, loading it, messages, time words."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from rsspress.config import Config, ConfigError, OutputConfig, load_config
from rsspress.exits import EXIT_USAGE
from rsspress.publish.site import SiteReport
from rsspress.urls import host_port

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


def load(path: Path) -> Config:
    """The config at ``path``; a config error is printed and exits 2."""
    try:
        return load_config(path)
    except ConfigError as exc:
        error(str(exc), label="config error")
        raise SystemExit(EXIT_USAGE) from None


def listen(value: str) -> tuple[str, int]:
    """``--listen``'s host and port; a bad value is printed and exits 2."""
    try:
        return host_port(value)
    except ValueError as exc:
        error(f"--listen: {exc}")
        raise SystemExit(EXIT_USAGE) from None


def err_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def error(message: str, *, label: str = "error", style: str = "red") -> None:
    """``label: message`` on stderr; the message is text, never markup."""
    err_console().print(f"[{style}]{label}:[/] {escape(message)}", highlight=False)


def print_site(out: OutputConfig, report: SiteReport) -> None:
    click.echo(
        f"site {out.dir}: {report.written} files written, {report.removed} removed, "
        f"{report.pages - report.written} unchanged, in {report.seconds:.1f}s"
    )


def ago(t: float | None, now: float) -> str:
    if t is None:
        return "never"
    return span(now - t) + " ago"


def when(t: float | None, now: float) -> str:
    if t is None or t <= now:
        return "next run"
    return "in " + span(t - now)


def span(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
