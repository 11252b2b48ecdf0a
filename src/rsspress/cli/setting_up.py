"""Setting up: ``init`` (a config, a workflow, systemd units), ``import`` and ``export`` (OPML)."""

from __future__ import annotations

from pathlib import Path

import click

from rsspress.cli.common import config_option, error, load
from rsspress.config import FORMATS
from rsspress.exits import EXIT_USAGE
from rsspress.publish.hugo import site_config_note as hugo_site_config_note
from rsspress.scaffold.example import example_config
from rsspress.scaffold.github import DEFAULT_CRON, DEFAULT_PACKAGE
from rsspress.urls import redact_url


@click.command()
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
        _deploy(path, github_actions, systemd_dir, package=package, cron=cron, force=force)
        return
    if path.exists() and not force:
        error(f"{path} exists; use --force to overwrite it")
        raise SystemExit(EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example_config(output_format), encoding="utf-8")
    click.echo(f"wrote {path}; edit its feeds, then run: rsspress run -c {path}")
    if output_format == "hugo":
        click.echo("\n" + hugo_site_config_note())
    if deploying:
        _deploy(path, github_actions, systemd_dir, package=package, cron=cron, force=force)


def _deploy(
    path: Path,
    github_actions: bool,
    systemd_dir: Path | None,
    *,
    package: str,
    cron: str,
    force: bool,
) -> None:
    """Write the workflow or the units that run the config at ``path``."""
    from rsspress.scaffold import ScaffoldError, deployment

    config = load(path)
    try:
        for line in deployment(
            config, github_actions, systemd_dir, package=package, cron=cron, force=force
        ):
            click.echo(line)
    except ScaffoldError as exc:
        error(str(exc))
        raise SystemExit(EXIT_USAGE) from None


@click.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def import_(opml_file: Path, config_path: Path) -> None:
    """Add the feeds of an OPML file to the config (outlines: group / site / feed)."""
    from rsspress.opml import OpmlError, import_into_config, importable, read_opml

    try:
        feeds, skipped = importable(read_opml(opml_file.read_bytes()))
    except OpmlError as exc:
        error(f"{opml_file}: {exc}")
        raise SystemExit(EXIT_USAGE) from None
    for skip in skipped:
        # repr(): names and URLs come from the file, and may hold terminal escape codes.
        label = f"{skip.feed.group} / {skip.feed.site} / {skip.feed.name}"
        click.echo(f"skipped {label!r}: {redact_url(skip.feed.url)!r}: {skip.reason}", err=True)
    result = import_into_config(config_path, feeds)
    load(config_path)  # what was written must load; a config error here exits 2
    click.echo(
        f"imported {result.added} feeds into {config_path}"
        + (f"; {result.present} were already there" if result.present else "")
        + (f"; {len(skipped)} skipped: only http(s) feeds are imported" if skipped else "")
    )


@click.command()
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

    feeds = load(config_path).feeds
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
