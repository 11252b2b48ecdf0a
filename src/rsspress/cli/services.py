"""What runs until stopped: the ``daemon`` (fetch when due, /metrics) and the image ``proxy``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rsspress.cli.common import config_option, error, listen, load
from rsspress.exits import EXIT_USAGE


@click.command()
@config_option
def daemon(config_path: Path) -> None:
    """Run until stopped: fetch each feed when due, publish in batches, serve /metrics.

    SIGTERM or SIGINT (Ctrl-C) finishes the update in hand, publishes it, and exits.
    """
    import logging
    import signal
    import threading

    from rsspress.daemon import Daemon

    config = load(config_path)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        logging.getLogger("rsspress.daemon").info(
            "%s: finishing the work in hand", signal.Signals(signum).name
        )
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner = Daemon(config)
    try:
        metrics = runner.serve_metrics()
    except OSError as exc:
        error(f"daemon.metrics_listen {config.daemon.metrics_listen}: {exc}")
        raise SystemExit(EXIT_USAGE) from None
    logging.getLogger("rsspress.daemon").info(
        "watching %d feeds%s", len(config.feeds), f"; metrics at {metrics}" if metrics else ""
    )
    runner.run(stop)


@click.command()
@config_option
@click.option(
    "--listen", "listen_at", help="host:port to listen on (default: images.proxy_listen)."
)
def proxy(config_path: Path, listen_at: str | None) -> None:
    """Serve images through signed URLs (images.proxy: self), refusing private addresses."""
    from rsspress.config import MISSING_KEY, parse_networks
    from rsspress.proxy.server import ProxySettings, serve

    config = load(config_path)
    images = config.images
    if not images.proxy_key:
        error(f"the proxy needs {MISSING_KEY}")
        raise SystemExit(EXIT_USAGE)
    host, port = listen(listen_at or images.proxy_listen)
    metrics_host, metrics_port = (
        listen(images.proxy_metrics_listen) if images.proxy_metrics_listen else (None, 0)
    )
    serve(
        ProxySettings(
            metrics_host=metrics_host,
            metrics_port=metrics_port,
            key=images.proxy_key,
            host=host,
            port=port,
            allowed_networks=parse_networks(images.proxy_allow),
            max_bytes=images.proxy_max_bytes,
            allow_svg=images.proxy_svg,
            cache_dir=images.proxy_cache_dir,
            cache_max_bytes=images.proxy_cache_max_bytes,
            rules=config.content.rules,
        )
    )
