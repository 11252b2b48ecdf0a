"""``rsspress init --systemd``: units for the daemon, the proxy and cron mode (a timer).

The units run as the user who owns the config (never root), in a sandbox that
sees the system read-only but for the folders rsspress writes: the state's, the
outputs' and the image cache's. ``contrib/systemd/`` holds the same units
rendered for a dedicated ``rsspress`` user and ``/var/lib/rsspress``.
"""

from __future__ import annotations

import grp
import pwd
import sys
from collections.abc import Iterable
from pathlib import Path

from rsspress.config import Config, is_postgres
from rsspress.scaffold.files import Scaffold, ScaffoldError, render, unit_word

UNITS = ("rsspress.service", "rsspress-proxy.service", "rsspress-run.service", "rsspress-run.timer")
ENV_FILE = Path("/etc/rsspress/rsspress.env")
DEDICATED_USER = "rsspress"
# contrib/systemd: an installation in a virtual environment, with its data in /var/lib.
CONTRIB_COMMAND = ("/opt/rsspress/bin/rsspress",)
CONTRIB_CONFIG = Path("/var/lib/rsspress/rsspress.yaml")


def systemd_units(config: Config, directory: Path, *, on_calendar: str = "hourly") -> Scaffold:
    """Units for ``config``, to be written into ``directory``."""
    workdir = config.path.resolve().parent
    writes = [workdir, *(out.dir for out in config.outputs)]
    if not is_postgres(config.state):
        writes.append(Path(config.state).parent)  # SQLite writes its journal beside the file
    cache = [config.images.proxy_cache_dir] if config.images.proxy_cache_dir else []
    user, group = _owner(config.path)
    notes = []
    if user == DEDICATED_USER:
        notes.append(
            f"{config.path} belongs to root, and the units run as the user {DEDICATED_USER}:"
            f" create it (useradd --system {DEDICATED_USER}) and give it {workdir}"
            f" (chown -R {DEDICATED_USER}: {workdir})"
        )
    units = render_units(
        command=rsspress_command(),
        config_path=config.path.resolve(),
        workdir=workdir,
        user=user,
        group=group,
        write_paths=writable(writes + cache),
        cache_paths=writable(cache),
        on_calendar=on_calendar,
    )
    notes.append(
        f"install them: cp {directory}/rsspress* /etc/systemd/system/ && systemctl daemon-reload;"
        " then either systemctl enable --now rsspress.service (the daemon)"
        " or systemctl enable --now rsspress-run.timer (cron mode), not both"
    )
    return Scaffold({directory / name: text for name, text in units.items()}, notes)


def contrib_units() -> dict[str, str]:
    """The units in contrib/systemd: a dedicated user, /var/lib/rsspress, /var/cache/rsspress."""
    return render_units(
        command=CONTRIB_COMMAND,
        config_path=CONTRIB_CONFIG,
        workdir=CONTRIB_CONFIG.parent,
        user=DEDICATED_USER,
        group=DEDICATED_USER,
        write_paths=[],
        cache_paths=[],
        on_calendar="hourly",
        state_directory="rsspress",
        cache_directory="rsspress",
    )


def render_units(
    *,
    command: Iterable[str],
    config_path: Path,
    workdir: Path,
    user: str,
    group: str,
    write_paths: list[Path],
    cache_paths: list[Path],
    on_calendar: str,
    state_directory: str | None = None,
    cache_directory: str | None = None,
) -> dict[str, str]:
    values = {
        "command": " ".join(unit_word(word) for word in command),
        "config": config_path,
        "workdir": workdir,
        "user": user,
        "group": group,
        "write_paths": write_paths,
        "cache_paths": cache_paths,
        "on_calendar": on_calendar,
        "state_directory": state_directory,
        "cache_directory": cache_directory,
        "env_file": ENV_FILE,
    }
    return {name: render(f"systemd/{name}", **values) for name in UNITS}


def rsspress_command() -> tuple[str, ...]:
    """How systemd starts this rsspress: its script beside this Python, else ``python -m``.

    Not resolved: a virtual environment's python is a symlink, and only the
    link's path knows the environment.
    """
    python = Path(sys.executable).absolute()
    script = python.with_name("rsspress")
    return (str(script),) if script.is_file() else (str(python), "-m", "rsspress")


def writable(paths: Iterable[Path]) -> list[Path]:
    """The folders to open for writing: each one's nearest existing folder, none twice.

    systemd refuses to start a unit whose ReadWritePaths= does not exist, and
    rsspress creates its output folders on the first run; a folder inside
    another one listed is open already.
    """
    found: list[Path] = []
    for path in paths:
        path = path.resolve()
        while not path.is_dir() and path != path.parent:
            path = path.parent
        found.append(path)
    unique = sorted(set(found), key=lambda p: (len(p.parts), str(p)))
    kept: list[Path] = []
    for path in unique:
        if not any(path.is_relative_to(parent) for parent in kept):
            kept.append(path)
    return kept


def _owner(path: Path) -> tuple[str, str]:
    """Who the services run as: the config's owner, or a dedicated user instead of root."""
    stat = path.stat()
    if stat.st_uid == 0:
        return DEDICATED_USER, DEDICATED_USER
    try:
        user = pwd.getpwuid(stat.st_uid).pw_name
    except KeyError:
        raise ScaffoldError(f"{path} belongs to user id {stat.st_uid}, which has no name") from None
    try:
        group = grp.getgrgid(stat.st_gid).gr_name
    except KeyError:
        group = user
    return user, group
