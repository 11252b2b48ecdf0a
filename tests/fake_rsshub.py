"""A fake RSSHub on 127.0.0.1 that behaves as the real one does where rsspress cares.

- Routes answer RSS 2.0 as RSSHub renders it: ``<atom:link rel="self">`` is the request
  URL (access code included), ``lastBuildDate`` is now, ``ETag`` is a hash of the feed
  without ``lastBuildDate`` and ``If-None-Match`` gets 304 (lib/middleware/header.ts).
- A route that fails answers 503 with RSSHub's HTML error page (lib/views/error.tsx
  rendered by Hono: the message in ``<p class="message">…<code>``), no Retry-After.
- A route it does not know answers 404 with that page, ``NotFoundError``.
- ``ACCESS_KEY``: ``?key=KEY`` or ``?code=md5(path + KEY)``, where ``path`` is the
  decoded path without the query (lib/middleware/access-control.ts); else 403
  ``RejectError: Authentication failed. Access denied.``
- ``limit(seconds)``: every request gets 429 with Retry-After, as the proxy in front of
  a public instance answers (Cloudflare's "error code: 1015").
- ``as_package``: errors as JSON ``{"error": {"message": …}}`` (RSSHub as an npm package).

Every request is logged (path, query, If-None-Match, status), so tests can check what
reached the server.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import html
import json
import threading
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Logged:
    path: str
    query: dict[str, str]
    raw: str  # the request line's target, as sent
    if_none_match: str | None
    status: int = 0


@dataclass
class FakeRoute:
    title: str
    items: list[tuple[str | None, str, str]] = field(default_factory=list)  # guid, link, title
    error: str | None = None  # the route fails with this message (503)


def error_page(message: str, route: str, path: str) -> str:
    """RSSHub's error page as Hono renders lib/views/error.tsx (shortened styles)."""
    code = 'class="ml-2 bg-zinc-100"'
    return (
        "<html><head><title>Welcome to RSSHub!</title>"
        '<script src="https://cdn.tailwindcss.com"></script><style>body{font-family:SN Pro,sans-serif}</style>'
        '</head><body class="antialiased min-h-screen text-zinc-700 flex flex-col">'
        '<div class="pointer-events-none absolute w-full h-screen"></div>'
        '<div class="w-full h-screen flex items-center justify-center flex-col space-y-4">'
        '<img class="grayscale" src="/logo.png" alt="RSSHub" width="100" loading="lazy"/>'
        '<h1 class="text-4xl font-bold">Looks like something went wrong</h1>'
        '<div class="text-left w-[800px] space-y-6 !mt-10"><div class="space-y-2">'
        '<p class="mb-2 font-bold">Helpful Information</p>'
        '<p class="message">Error Message:<br/><code class="mt-2 block max-h-28 overflow-auto '
        f'bg-zinc-100 align-bottom w-fit details">{html.escape(message)}</code></p>'
        f'<p class="message">Route: <code {code}>{html.escape(route)}</code></p>'
        f'<p class="message">Full Route: <code {code}>{html.escape(path)}</code></p>'
        f'<p class="message">Node Version: <code {code}>v22.12.0</code></p>'
        f'<p class="message">Git Hash: <code {code}>3d3a5ba</code></p>'
        '</div><div><p class="mb-2 font-bold">Report</p><p>After carefully reading the '
        '<a class="text-[#F5712C]" href="https://docs.rsshub.app/" target="_blank">document</a>'
        ", if you think this is a bug of RSSHub, please submit an issue on GitHub.</p></div>"
        "</div></div></body></html>"
    )


class FakeRsshub:
    def __init__(
        self, *, access_key: str | None = None, port: int = 0, as_package: bool = False
    ) -> None:
        self.access_key = access_key
        self.as_package = as_package
        self.routes: dict[str, FakeRoute] = {}
        self.log: list[Logged] = []
        self.retry_after: int | None = None  # set: every request gets 429
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.runner: web.AppRunner | None = None
        self.thread: threading.Thread | None = None

    # -- what tests set up ---------------------------------------------------------------

    def route(self, path: str, title: str, items: int, *, on_instance: str | None = None) -> None:
        """A working route of ``items`` items; ``on_instance``: links of the first item point
        at this base (an item without a guid whose link is on the instance)."""
        feed = FakeRoute(title)
        for n in range(items):
            link = f"https://news.example.org{path}/{n}.html"
            guid: str | None = link
            if on_instance is not None and n == 0:
                guid, link = None, f"{on_instance}{path}/item/{n}"
            feed.items.append((guid, link, f"{title} 第 {n} 条"))
        self.routes[path] = feed

    def break_route(self, path: str, message: str) -> None:
        self.routes[path] = FakeRoute("broken", error=message)

    def limit(self, retry_after: int | None) -> None:
        self.retry_after = retry_after

    def requests(self, path: str) -> list[Logged]:
        return [entry for entry in self.log if entry.path == path]

    # -- serving -------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        entry = Logged(
            request.path,
            dict(request.query),
            request.raw_path,
            request.headers.get("If-None-Match"),
        )
        self.log.append(entry)
        response = self.answer(request)
        entry.status = response.status
        return response

    def answer(self, request: web.Request) -> web.Response:
        if self.retry_after is not None:
            return web.Response(
                status=429,
                text="error code: 1015",
                headers={"Retry-After": str(self.retry_after)},
            )
        path = request.path  # decoded, without the query (Hono's c.req.path)
        if self.access_key and path not in ("/", "/robots.txt", "/metrics"):
            key, code = request.query.get("key"), request.query.get("code")
            expected = hashlib.md5((path + self.access_key).encode()).hexdigest()
            if not (key == self.access_key or code == expected):
                return self.error(403, "RejectError: Authentication failed. Access denied.", path)
        route = self.routes.get(path)
        if route is None:
            return self.error(
                404, "NotFoundError: The route does not exist or has been deleted.", path
            )
        if route.error is not None:
            return self.error(503, route.error, path)
        return self.feed(request, route)

    def error(self, status: int, message: str, path: str) -> web.Response:
        if self.as_package:
            body = json.dumps({"error": {"message": message.partition(": ")[2]}})
            return web.Response(status=status, text=body, content_type="application/json")
        return web.Response(
            status=status,
            text=error_page(message, path.rsplit("/", 1)[0] + "/:id", path),
            content_type="text/html",
            charset="utf-8",
        )

    def feed(self, request: web.Request, route: FakeRoute) -> web.Response:
        items = [{"title": t, "link": link, "guid": guid} for guid, link, t in route.items]
        data = json.dumps({"title": route.title, "item": items}, ensure_ascii=False).encode()
        digest = base64.b64encode(hashlib.sha1(data).digest()).decode()[:27]
        etag = f'W/"{len(data):x}-{digest}"'
        headers = {
            "ETag": etag,
            "Cache-Control": "public, max-age=300",
            "X-RSSHub-Route": request.path,
        }
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        now = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel>',
            f"<title><![CDATA[{route.title}]]></title><link>https://news.example.org/</link>",
            f'<atom:link href="{html.escape(str(request.url))}" rel="self" type="application/rss+xml"></atom:link>',
            "<description><![CDATA[Powered by RSSHub]]></description><generator>RSSHub</generator>",
            f"<language>en</language><lastBuildDate>{now}</lastBuildDate><ttl>5</ttl>",
        ]
        for n, (guid, link, title) in enumerate(route.items):
            guid_xml = f'<guid isPermaLink="false">{html.escape(guid)}</guid>' if guid else ""
            parts.append(
                f"<item><title><![CDATA[{title}]]></title>"
                f"<description><![CDATA[<p>{html.escape(title)} 正文</p>]]></description>"
                f"<pubDate>Sun, 28 Nov 2021 0{n % 10}:19:00 GMT</pubDate>"
                f"{guid_xml}<link>{html.escape(link)}</link></item>"
            )
        parts.append("</channel></rss>")
        headers["Last-Modified"] = now
        return web.Response(
            body="".join(parts).encode(),
            headers=headers,
            content_type="application/xml",
            charset="utf-8",
        )

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeRsshub:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            assert self.runner is not None
            self.loop.run_until_complete(self.runner.setup())
            site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
            self.loop.run_until_complete(site.start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake RSSHub did not start")
        assert self.runner is not None
        self.port = self.runner.addresses[0][1]
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.runner is not None and self.thread is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.runner = None
