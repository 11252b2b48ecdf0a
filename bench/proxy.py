"""The image proxy under load: cache hits, cache misses, and nginx's proxy_cache as the limit.

    python bench/proxy.py [--clients 64] [--seconds 10]

Needs wrk and nginx (Debian packages). Serves 256 PNG images (20 KB each) with
shared/bench/serve.sh, then drives with wrk, each at --clients connections:
`rsspress proxy` with a warm disk cache (hits), `rsspress proxy` without a
cache (every request fetched upstream: misses), and nginx proxy_pass with
proxy_cache in front of the same images (the limit). Prints requests/s, p50
and p99. Issue target: hits >= 2,000 requests/s with p99 < 50 ms at 64 clients.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("RSSPRESS_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO / "src"))

from rsspress.signing import signed_path  # noqa: E402

KEY = "bench-key"
LUA = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""
NGINX_CACHE_CONF = """
{user}
daemon on; master_process on; worker_processes 1;
pid {run}/nginx.pid; error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    proxy_cache_path {run}/cache levels=1:2 keys_zone=img:10m max_size=512m inactive=1h;
    client_body_temp_path {run}/tmp; proxy_temp_path {run}/tmp;
    fastcgi_temp_path {run}/tmp; uwsgi_temp_path {run}/tmp; scgi_temp_path {run}/tmp;
    upstream images {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://images;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache img;
            proxy_cache_valid 200 1h;
        }}
    }}
}}
"""


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def wrk(base: str, paths: Path, clients: int, seconds: int) -> tuple[float, str, str]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(paths.parent / "paths.lua"),
            base,
        ],
        env={**os.environ, "WRK_PATHS": str(paths)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # the latency distribution's own lines ("    50%   11.78ms"), not a stdev column
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} failed responses against {base}:\n{out}")
    return rate, p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--upstream-port", type=int, default=8766)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rsspress-proxy-bench-"))
    images = work / "images"
    images.mkdir()
    header = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8  # enough of a PNG for the proxy's sniffing
    for n in range(256):
        (images / f"{n:03}.png").write_bytes(header + os.urandom(20 * 1024))
    serve = SHARED / "bench" / "serve.sh"
    up = args.upstream_port
    subprocess.run(["bash", serve, "stop", str(up)], capture_output=True)
    subprocess.run(["bash", serve, str(images), str(up)], check=True, capture_output=True)
    upstream = [f"http://127.0.0.1:{up}/{n:03}.png" for n in range(256)]
    (work / "paths.lua").write_text(LUA)

    processes: list[subprocess.Popen[bytes]] = []
    results: list[tuple[str, float, str, str]] = []
    nginx_run = work / "nginx-cache"
    try:
        for label, port, cache in (
            ("proxy, cache hits", 8082, True),
            ("proxy, misses", 8084, False),
        ):
            config = work / f"proxy-{port}.yaml"
            cache_line = f"  proxy_cache_dir: {work / f'cache-{port}'}\n" if cache else ""
            config.write_text(
                "images:\n  proxy: self\n"
                f"  proxy_base: http://127.0.0.1:{port}\n  proxy_listen: 127.0.0.1:{port}\n"
                f"  proxy_allow: [127.0.0.1/32]\n{cache_line}"
                "feeds: {g: {s: {f: http://127.0.0.1/}}}\n"
            )
            env = {**os.environ, "RSSPRESS_PROXY_KEY": KEY}
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "rsspress", "proxy", "-c", str(config)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_for(f"http://127.0.0.1:{port}/healthz")
            paths = work / f"paths-{port}.txt"
            paths.write_text("".join(f"/{signed_path(u, KEY.encode())}\n" for u in upstream))
            for line in paths.read_text().split():
                urllib.request.urlopen(f"http://127.0.0.1:{port}{line}").read()  # warm
            results.append(
                (label, *wrk(f"http://127.0.0.1:{port}", paths, args.clients, args.seconds))
            )
        nginx_run.mkdir()
        (nginx_run / "tmp").mkdir()
        conf = nginx_run / "nginx.conf"
        # as root, workers would run as nobody, who cannot write the (private) cache folder
        user = "user root root;" if os.getuid() == 0 else ""
        conf.write_text(NGINX_CACHE_CONF.format(user=user, run=nginx_run, upstream=up, port=8083))
        subprocess.run(["nginx", "-c", str(conf), "-p", str(nginx_run)], check=True)
        paths = work / "paths-nginx.txt"
        paths.write_text("".join(f"/{n:03}.png\n" for n in range(256)))
        for line in paths.read_text().split():
            urllib.request.urlopen(f"http://127.0.0.1:8083{line}").read()  # warm
        results.append(
            (
                "nginx proxy_cache (limit)",
                *wrk("http://127.0.0.1:8083", paths, args.clients, args.seconds),
            )
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        pid = nginx_run / "nginx.pid"
        if pid.exists():
            subprocess.run(["kill", "-QUIT", pid.read_text().strip()])
        subprocess.run(["bash", serve, "stop", str(up)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.clients} clients, {args.seconds}s each, 256 images of 20 KB, wrk -t2")
    print(f"{'target':<28} {'req/s':>9} {'p50':>9} {'p99':>9}")
    for label, rate, p50, p99 in results:
        print(f"{label:<28} {rate:9.0f} {p50:>9} {p99:>9}")


if __name__ == "__main__":
    main()
