"""`rsspress serve`: preview an HTML site on 127.0.0.1, rebuilt when the state changes."""

from __future__ import annotations

import functools
import http.server
import io
import ipaddress
import signal
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from types import FrameType
from typing import Any, BinaryIO

from rsspress.config import Config, OutputConfig
from rsspress.publish.site import SiteReport, build_site
from rsspress.store import Store


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # a preview needs no access log

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        # A path no file can have (a NUL, a lone surrogate: /%00, /%ED%A0%80) makes
        # open() raise ValueError, which the standard handler lets out as a traceback.
        try:
            return super().send_head()
        except ValueError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # One line, not the standard traceback: a reader's odd request (or a closed
        # connection) is no reason to fill the terminal of `rsspress serve`. The type
        # only: a message may quote the request, and a request may hold escape codes.
        kind = sys.exc_info()[0]
        name = kind.__name__ if kind is not None else "an error"
        print(f"serve: a request from {client_address[0]} failed ({name})", file=sys.stderr)


class ListenError(Exception):
    """The preview cannot listen where it was asked to (a port in use, another machine's IP)."""


def is_loopback(host: str) -> bool:
    """Does listening on ``host`` keep the server to this machine?

    Only loopback addresses and ``localhost`` do; a name might resolve anywhere.
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    try:
        server = _Server((host, port), handler)
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
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
