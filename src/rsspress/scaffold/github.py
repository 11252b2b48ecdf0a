"""``rsspress init --github-actions``: a workflow for a repository that holds the config."""

from __future__ import annotations

import re
from pathlib import Path

from rsspress import __version__
from rsspress.config import Config, is_postgres
from rsspress.scaffold.files import Scaffold, ScaffoldError, render

WORKFLOW = Path(".github") / "workflows" / "rsspress.yml"
DEFAULT_CRON = "17 * * * *"  # hourly, off the full hour that every other schedule takes
DEFAULT_PACKAGE = f"rsspress=={__version__}"  # the version that wrote the workflow
# Five fields of digits, names (MON, JAN), ranges, lists and steps.
_CRON = re.compile(r"[0-9A-Za-z*/,\-]+( [0-9A-Za-z*/,\-]+){4}")


def github_workflow(
    config: Config, root: Path, *, package: str = DEFAULT_PACKAGE, cron: str = DEFAULT_CRON
) -> Scaffold:
    """The workflow for ``config``, in the repository whose top folder is ``root``."""
    if not _CRON.fullmatch(cron):
        raise ScaffoldError(f"--cron {cron!r}: five fields, such as {DEFAULT_CRON!r}")
    root = root.resolve()
    notes: list[str] = []
    state = None
    if is_postgres(config.state):
        notes.append(
            "the state is a PostgreSQL database: the workflow keeps no state branch, and the"
            " runner must reach the database"
        )
    else:
        state = _in_repository(root, Path(config.state), "state:")
    post_dirs = [
        _in_repository(root, out.dir, f"the {out.format} output", folder=True)
        for out in config.post_outputs
    ]
    for folder in post_dirs:
        if state is not None and Path(state).is_relative_to(folder):
            raise ScaffoldError(
                f"state: {state} is inside the posts folder {folder}, and would be committed"
                " with the posts: keep it beside them"
            )
    site = None
    if config.site_outputs:
        site = _in_repository(root, config.site_outputs[0].dir, "the html output", folder=True)
        if len(config.site_outputs) > 1:
            notes.append(f"GitHub Pages takes one site: the workflow deploys {site}")
        notes.append(
            "in the repository's Settings → Pages, set Source to GitHub Actions;"
            f" keep {site} out of git (.gitignore): the workflow builds it"
        )
    if state is not None:
        notes.append(f"keep {state} out of git (.gitignore): it lives on the rsspress-state branch")
    text = render(
        "github-actions.yml",
        config_path=_in_repository(root, config.path, "the config"),
        package=_plain(package, "--package"),
        cron=cron,
        state_path=state,
        post_dirs=post_dirs,
        site_dir=site,
    )
    return Scaffold({root / WORKFLOW: text}, notes)


def _in_repository(root: Path, path: Path, what: str, *, folder: bool = False) -> str:
    """``path`` relative to the repository's top folder, as the workflow names it."""
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        raise ScaffoldError(
            f"{what} ({path}) is outside the repository ({root}): the workflow runs in a"
            " checkout of the repository, so put it inside (or run init from a folder above)"
        ) from None
    if folder and relative == Path():
        raise ScaffoldError(f"{what} is the repository's top folder: give it a folder of its own")
    return _plain(relative.as_posix(), what)


def _plain(value: str, what: str) -> str:
    """GitHub evaluates ``${{ … }}`` anywhere in a workflow, quoted or not."""
    if "${{" in value:
        raise ScaffoldError(f"{what} {value!r}: `${{{{` would be read by GitHub as an expression")
    return value


def repository_root(start: Path) -> Path:
    """The top folder of the git repository holding ``start``, else ``start`` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start
