"""`rsspress serve`: preview an HTML site on 127.0.0.1, rebuilt when the state changes."""

from __future__ import annotations

import functools
import http.server
import signal
import threading
from collections.abc import Callable
from types import FrameType

from rsspress.config import Config, OutputConfig
from rsspress.publish.site import SiteReport, build_site
from rsspress.store import Store


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # a preview needs no access log

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


def build_once(config: Config, out: OutputConfig) -> SiteReport:
    with Store(config.state) as store:
        return build_site(config, out, store)


def serve_site(
    config: Config,
    out: OutputConfig,
    host: str,
    port: int,
    on_build: Callable[[SiteReport], None],
    on_ready: Callable[[str], None],
    poll_seconds: float = 1.0,
) -> None:
    """Build, serve, and rebuild on every state change until SIGINT or SIGTERM."""
    on_build(build_once(config, out))
    handler = functools.partial(_Handler, directory=str(out.dir))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    on_ready(f"http://{host}:{server.server_address[1]}/")
    store = Store(config.state)
    seen = store.published_signature()
    try:
        while not stop.wait(poll_seconds):
            now = store.published_signature()
            if now != seen:
                seen = now
                on_build(build_site(config, out, store))
    finally:
        store.close()
        server.shutdown()
        server.server_close()
