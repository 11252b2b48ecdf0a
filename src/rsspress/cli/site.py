"""The HTML site: ``build`` it from the state, ``serve`` a preview of it."""

from __future__ import annotations

from pathlib import Path

import click

from rsspress.cli.common import config_option, error, listen, load, print_site
from rsspress.exits import EXIT_USAGE
from rsspress.store import Store


@click.command()
@config_option
def build(config_path: Path) -> None:
    """Build the HTML site outputs from the state, without fetching."""
    from rsspress.publish.site import build_sites

    config = load(config_path)
    if not config.site_outputs:
        error(
            f"{config_path} has no output with format: html; "
            "posts (hexo, hugo, jekyll) are written by `rsspress run`"
        )
        raise SystemExit(EXIT_USAGE)
    with Store(config.state) as store:
        reports = build_sites(config, store)
    for out, report in zip(config.site_outputs, reports, strict=True):
        print_site(out, report)


@click.command()
@config_option
@click.option(
    "--listen", "listen_at", help="host:port (default: the site output's listen, 127.0.0.1:8000)."
)
def serve(config_path: Path, listen_at: str | None) -> None:
    """Preview the HTML site on 127.0.0.1, rebuilt whenever the state changes."""
    from rsspress.publish.site.serve import ListenError, is_loopback, serve_site

    config = load(config_path)
    if not config.site_outputs:
        error(f"{config_path} has no output with format: html")
        raise SystemExit(EXIT_USAGE)
    out = config.site_outputs[0]
    host, port = listen(listen_at or out.listen)
    if not is_loopback(host):
        error(
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
            on_build=lambda report: print_site(out, report),
            on_ready=lambda url: click.echo(f"serving {out.dir} at {url} (Ctrl-C stops)"),
        )
    except ListenError as exc:
        error(str(exc))
        raise SystemExit(EXIT_USAGE) from None
