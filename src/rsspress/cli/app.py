"""The command group, its commands, and ``main`` (the ``rsspress`` entry point)."""

from __future__ import annotations

import click

from rsspress import __version__
from rsspress.cli.common import error
from rsspress.cli.running import run
from rsspress.cli.services import daemon, proxy
from rsspress.cli.setting_up import export, import_, init
from rsspress.cli.site import build, serve
from rsspress.cli.status import status
from rsspress.exits import EXIT_INTERRUPTED, EXIT_USAGE
from rsspress.store import StateError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rsspress")
def cli() -> None:
    """Mirror RSS, Atom and JSON feeds (RSSHub routes too) into a static news site."""


for command in (init, run, build, serve, daemon, import_, export, proxy, status):
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="rsspress")
    except StateError as exc:  # the state can't be opened: say why and what to do, no trace
        error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:  # a second Ctrl-C: stop now (every write is atomic)
        error("interrupted", label="stopped")
        raise SystemExit(EXIT_INTERRUPTED) from None
