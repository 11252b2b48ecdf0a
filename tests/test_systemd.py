"""systemd units: `rsspress init --systemd`, and contrib/systemd, judged by systemd-analyze."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_cli, write_config
from externals import find_program
from rsspress.scaffold import unit_path, unit_word
from rsspress.scaffold.systemd import UNITS, contrib_units, writable

SYSTEMD_INSTALL = "install Debian's systemd (apt-get install systemd) for systemd-analyze"
CONTRIB = REPO / "contrib" / "systemd"


def verify(*units: str, root: Path | None = None, cwd: Path) -> str:
    """What `systemd-analyze verify` says of the units: nothing when they are right.

    It exits 0 on an unknown key or a value it cannot parse, and only says so: any line
    it prints about our units is a failure.
    """
    analyze = find_program("systemd-analyze", SYSTEMD_INSTALL)
    command = [analyze, "verify", "--man=no"]
    if root is not None:
        command.append(f"--root={root}")
    result = subprocess.run(
        [*command, *units], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0"},
    )  # fmt: skip
    said = "\n".join(
        line for line in (result.stdout + result.stderr).splitlines() if "rsspress" in line
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return said


def service_section(text: str) -> dict[str, list[str]]:
    """Each key of [Service] with its values (a key may be given several times)."""
    section: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif current == "Service" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            section.setdefault(key, []).append(value)
    return section


def test_init_writes_units_that_systemd_accepts(tmp_path: Path) -> None:
    site = tmp_path / "my news"  # a space: every path in the units must be quoted right
    site.mkdir()
    (tmp_path / "public").mkdir()
    (tmp_path / "cache").mkdir()
    config = site / "rsspress.yaml"
    config.write_text(
        "output: [{dir: posts, format: hexo}, {dir: ../public/site, format: html}]\n"
        "images: {proxy: self, proxy_base: 'https://img.example', proxy_cache_dir: ../cache}\n"
        "feeds: {g: {s: {f: feed.xml}}}\n",
        "utf-8",
    )
    result = run_cli("init", str(config), "--systemd", "units", cwd=tmp_path,
                     env={**os.environ, "RSSPRESS_PROXY_KEY": "k" * 64})  # fmt: skip
    assert result.returncode == 0, result.stderr
    units = tmp_path / "units"
    assert sorted(p.name for p in units.iterdir()) == sorted(UNITS)
    assert "systemctl enable --now rsspress-run.timer" in result.stdout

    assert verify(*(f"./{name}" for name in UNITS), cwd=units) == ""

    daemon = service_section((units / "rsspress.service").read_text("utf-8"))
    run = service_section((units / "rsspress-run.service").read_text("utf-8"))
    proxy = service_section((units / "rsspress-proxy.service").read_text("utf-8"))
    for unit in (daemon, run, proxy):
        assert unit["User"] != ["root"] and unit["ProtectSystem"] == ["strict"]
        assert unit["NoNewPrivileges"] == ["yes"] and unit["PrivateTmp"] == ["yes"]
        assert unit["WorkingDirectory"] == [str(site.resolve())]
    # The folders it writes, and no more: the config's (state, posts), the site's (its
    # nearest existing folder: the site is made by the first run) and the image cache.
    top = tmp_path.resolve()
    assert daemon["ReadWritePaths"] == [f"{top}/cache", f'"{top}/my news"', f"{top}/public"]
    assert proxy["ReadWritePaths"] == [f"{top}/cache"]
    assert daemon["Restart"] == ["on-failure"] and proxy["Restart"] == ["on-failure"]
    assert daemon["KillMode"] == ["mixed"]  # SIGTERM to the daemon, not to its workers
    assert daemon["ExecStart"][0].endswith(f' daemon -c "{site.resolve()}/rsspress.yaml"')
    assert run["Type"] == ["oneshot"] and run["SuccessExitStatus"] == ["1"]
    timer = configparser.ConfigParser(interpolation=None)
    timer.read_string((units / "rsspress-run.timer").read_text("utf-8"))
    assert timer["Timer"]["OnCalendar"] == "hourly" and timer["Timer"]["Persistent"] == "true"


def test_systemd_analyze_is_a_real_judge(tmp_path: Path) -> None:
    """The verify test can fail: a unit with a misspelt key and a bad value does not pass."""
    config = write_config(tmp_path / "news", "g:\n  s:\n    f: feed.xml\n")
    assert run_cli("init", str(config), "--systemd", "units", cwd=tmp_path).returncode == 0
    unit = tmp_path / "units" / "rsspress.service"
    text = unit.read_text("utf-8")
    unit.write_text(text.replace("KillMode=", "KilMode=").replace("=strict", "=strictly"))
    said = verify("./rsspress.service", cwd=tmp_path / "units")
    assert "Unknown key" in said and "strictly" in said


def test_contrib_units_are_the_rendered_templates_and_systemd_accepts_them(
    tmp_path: Path,
) -> None:
    shipped = {path.name: path.read_text("utf-8") for path in CONTRIB.glob("rsspress*")}
    assert shipped == contrib_units()  # contrib/systemd never drifts from `init --systemd`
    # A root holding what the units name (systemd's own units, the rsspress command).
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    command = root / "opt/rsspress/bin/rsspress"
    command.parent.mkdir(parents=True)
    command.write_text("#!/bin/sh\n", "utf-8")
    command.chmod(0o755)
    (root / "etc/systemd/system").mkdir(parents=True)
    for name, text in shipped.items():
        (root / "etc/systemd/system" / name).write_text(text, "utf-8")
    assert verify(*UNITS, root=root, cwd=tmp_path) == ""
    daemon = service_section(shipped["rsspress.service"])
    assert daemon["User"] == ["rsspress"] and daemon["StateDirectory"] == ["rsspress"]
    assert service_section(shipped["rsspress-proxy.service"])["CacheDirectory"] == ["rsspress"]


def test_a_config_owned_by_root_gets_a_dedicated_user(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to make a file owned by root: run the tests as root (CI does)")
    config = write_config(tmp_path / "news", "g:\n  s:\n    f: feed.xml\n")
    os.chown(config, 0, 0)
    result = run_cli("init", str(config), "--systemd", "units", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "useradd --system rsspress" in result.stdout
    text = (tmp_path / "units" / "rsspress.service").read_text("utf-8")
    assert "User=rsspress\n" in text and "User=root" not in text


@pytest.mark.parametrize(
    ("word", "written"),
    [
        ("/usr/bin/rsspress", "/usr/bin/rsspress"),
        ("/srv/my news/rsspress.yaml", '"/srv/my news/rsspress.yaml"'),
        ("/srv/100%/a.yaml", '"/srv/100%%/a.yaml"'),  # % starts a specifier
        ("/srv/$HOME/a.yaml", '"/srv/$$HOME/a.yaml"'),  # $ starts a variable
        ('/srv/say "hi"/a', '"/srv/say \\"hi\\"/a"'),
        ("/srv/a;b", '"/srv/a;b"'),
    ],
)
def test_command_words_are_quoted_for_systemd(word: str, written: str) -> None:
    assert unit_word(word) == written


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("/srv/news", "/srv/news"),
        ("/srv/my news", '"/srv/my news"'),
        ("/srv/100%", "/srv/100%%"),
    ],
)
def test_paths_are_quoted_for_systemd(path: str, written: str) -> None:
    assert unit_path(path) == written


def test_a_newline_in_a_path_is_refused(tmp_path: Path) -> None:
    from rsspress.scaffold import ScaffoldError

    with pytest.raises(ScaffoldError, match="control character"):
        unit_path("/srv/a\nExecStartPre=/bin/evil")


def test_writable_folders_are_the_nearest_existing_ones_none_twice(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    found = writable([tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "new" / "x",
                      tmp_path / "c"])  # fmt: skip
    assert found == [tmp_path.resolve()]
    assert writable([tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"]) == [
        (tmp_path / "a" / "b").resolve()
    ]
