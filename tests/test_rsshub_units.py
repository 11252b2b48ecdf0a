"""rsspress.rsshub's pure parts, one table each: URLs and codes, RSSHub's answers,
instance choice, route parameters and the ``rsshub:`` config section."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from fake_rsshub import error_page
from rsspress.config import ConfigError, parse_config
from rsspress.fetch import FetchError
from rsspress.item_keys import Remembered
from rsspress.new_items import new_items
from rsspress.parse import FeedItem
from rsspress.rsshub.answers import (
    INSTANCE,
    PAUSE,
    ROUTE,
    error_page_message,
    judge,
    looks_like_feed,
    route_death,
)
from rsspress.rsshub.health import RouteBook, combined_error
from rsspress.rsshub.items import new_items_of
from rsspress.rsshub.routes import (
    Instance,
    Route,
    access_code,
    decode_uri,
    instance_id,
    instance_independent,
    router_path,
)
from rsspress.rsshub.settings import param_value, params_from_query
from rsspress.schedule import pauses_host

# -- the access code ---------------------------------------------------------------------

ROUTER_PATHS = [
    ("/cnbeta", "/cnbeta"),
    ("/weibo/keyword/苹果", "/weibo/keyword/苹果"),  # sent as UTF-8 escapes, decoded back
    ("/weibo/keyword/%E8%8B%B9%E6%9E%9C", "/weibo/keyword/苹果"),
    ("/a%20b", "/a b"),
    ("/a%2Fb", "/a%2Fb"),  # decodeURI keeps escapes of reserved characters
    ("/a%2fb", "/a%2Fb"),  # (aiohttp sends the escape upper-cased)
    ("/100%25", "/100%25"),  # Hono keeps %25 escaped
    ("/100%", "/100%25"),  # a lone % is sent as %25
    ("/bad%E8%8Bx%E6%9E%9C", "/bad%E8%8Bx果"),  # a broken run kept, the next one decoded
    ("/a/../b", "/b"),  # aiohttp resolves dot segments before sending
]


@pytest.mark.parametrize(("path", "seen"), ROUTER_PATHS)
def test_router_path_is_what_rsshub_hashes(path: str, seen: str) -> None:
    assert router_path(path) == seen


DECODE_URI = [
    ("%41%42", "AB"),
    ("%23%3F%2F", "%23%3F%2F"),  # reserved: kept as written
    ("%F0%9F%98%80", "😀"),
    ("%C0%AF", None),  # overlong form: URIError
    ("%ED%A0%80", None),  # a surrogate: URIError
    ("%E8%8B", None),  # truncated
    ("%G1", None),
]


@pytest.mark.parametrize(("text", "decoded"), DECODE_URI)
def test_decode_uri_is_javascripts(text: str, decoded: str | None) -> None:
    if decoded is None:
        with pytest.raises(ValueError):
            decode_uri(text)
    else:
        assert decode_uri(text) == decoded


def test_the_access_code_is_md5_of_the_path_then_the_key() -> None:
    # RSSHub's own test: lib/middleware/access-control.test.ts
    key = "1L0veRSSHub"
    assert access_code("/test/2", key) == hashlib.md5(b"/test/21L0veRSSHub").hexdigest()
    assert (
        access_code("/weibo/keyword/%E8%8B%B9", key)
        == hashlib.md5(("/weibo/keyword/苹" + key).encode()).hexdigest()
    )


def test_a_route_on_each_instance() -> None:
    own, public = Instance("https://rss.example.com", key="K"), Instance("https://rsshub.app")
    route = Route("/cnbeta", "type=1", (("mode", "fulltext"), ("filter", "a b+c")), (own, public))
    assert route.url == "https://rss.example.com/cnbeta?type=1&mode=fulltext&filter=a%20b%2Bc"
    assert route.request_url(own) == route.url + "&code=" + access_code("/cnbeta", "K")
    assert (
        route.request_url(public)
        == "https://rsshub.app/cnbeta?type=1&mode=fulltext&filter=a%20b%2Bc"
    )
    assert route.pause_key == "rsshub:rss.example.com,rsshub.app"
    assert Route("/x", "", (), (own,)).pause_key == "rss.example.com"
    assert "K" not in repr(route)


INSTANCE_IDS = [
    ("https://RSSHub.app", "rsshub.app"),
    ("http://user:pw@127.0.0.1:1200", "127.0.0.1:1200"),
    ("https://example.org:443/rsshub", "example.org/rsshub"),
    ("http://example.org:80", "example.org"),
    ("http://example.org:8080", "example.org:8080"),
]


@pytest.mark.parametrize(("base", "expected"), INSTANCE_IDS)
def test_instance_id(base: str, expected: str) -> None:
    assert instance_id(base) == expected


ON_INSTANCES = (Instance("https://rsshub.app"), Instance("http://127.0.0.1:1200/hub"))
INDEPENDENT = [
    ("https://rsshub.app/telegram/channel/x/12", "rsshub:/telegram/channel/x/12"),
    ("http://RSSHUB.app/a?b=1#c", "rsshub:/a?b=1#c"),  # any scheme, any case
    ("http://127.0.0.1:1200/hub/x/", "rsshub:/x/"),
    ("http://127.0.0.1:1200/hubx/y", "http://127.0.0.1:1200/hubx/y"),  # not under the prefix
    ("https://www.cnbeta.com/articles/1.htm", "https://www.cnbeta.com/articles/1.htm"),
    ("https://rsshub.app.evil.test/x", "https://rsshub.app.evil.test/x"),
    ("tag:rsshub.app,2024:1", "tag:rsshub.app,2024:1"),
    ("http://[::1/x", "http://[::1/x"),  # a stranger's broken URL comes back as it is
    (None, None),
]


@pytest.mark.parametrize(("url", "expected"), INDEPENDENT)
def test_links_on_an_instance_are_read_as_routes(url: str | None, expected: str | None) -> None:
    assert instance_independent(url, ON_INSTANCES) == expected


# -- what RSSHub answered ----------------------------------------------------------------

ART_PAGE = (  # lib/views/error.art, RSSHub before Hono
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Error in RSSHub!</title></head><body>"
    '<div class="content"><h1>Looks like something went wrong</h1>\n'
    '<pre class="message">Error: this route is empty, please check the original site or '
    '&lt;a href="https://github.com/DIYgod/RSSHub/issues/new/choose"&gt;create an issue&lt;/a&gt;'
    "</pre></div></body></html>"
)
ERROR_PAGES = [
    ("text/html; charset=UTF-8", error_page('FetchError: [GET] "https://x.test/": 403', "/x/:id", "/x/1"),
     'FetchError: [GET] "https://x.test/": 403'),
    ("text/html", ART_PAGE, "Error: this route is empty, please check the original site or create an issue"),
    ("application/json", '{"error": {"message": "The route does not exist"}}', "The route does not exist"),
    ("text/html", "<html><head><title>503 Service Temporarily Unavailable</title></head>"
                  "<body><center><h1>503</h1></center><hr><center>nginx</center></body></html>", None),
    ("text/plain", "error code: 1015", None),
    ("application/json", '{"error": ["x"]}', None),
    ("text/html", error_page("a\x1b[31m\nb" + "x" * 1000, "/", "/"), "a [31m b" + "x" * 391 + "…"),
]  # fmt: skip


@pytest.mark.parametrize(("content_type", "body", "message"), ERROR_PAGES)
def test_rsshub_error_pages_are_read(content_type: str, body: str, message: str | None) -> None:
    assert error_page_message(content_type, body.encode()) == message


FEEDS_OR_NOT = [
    (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">', True),
    (
        b'\xef\xbb\xbf  <?xml version="1.0"?>\n<!-- x --><feed xmlns="http://www.w3.org/2005/Atom">',
        True,
    ),
    (b'<?xml version="1.0"?><?xml-stylesheet href="x"?><rdf:RDF>', True),
    (b'{"version": "https://jsonfeed.org/version/1.1"}', True),
    (b"<!DOCTYPE html><html><head><title>Just a moment...</title>", False),
    (b"<html><body>login</body></html>", False),
    (b"", False),
    (b"error code: 1015", False),
]


@pytest.mark.parametrize(("body", "feed"), FEEDS_OR_NOT)
def test_a_non_feed_answer_is_told_from_a_feed(body: bytes, feed: bool) -> None:
    assert looks_like_feed(body) is feed


def http(status: int, retry_after: float | None = None, detail: str | None = None) -> FetchError:
    return FetchError("http", f"HTTP {status}", status, retry_after, detail)


JUDGEMENTS = [
    # failure, a key configured, what rests, the kind a user reads
    (FetchError("refused", "connection refused by 127.0.0.1:1200"), False, INSTANCE, "refused"),
    (FetchError("timeout", "no complete answer in time"), False, INSTANCE, "timeout"),
    (FetchError("too_large", "too large"), False, ROUTE, "too_large"),
    (http(429), False, PAUSE, "busy"),
    (http(429, 60), False, PAUSE, "busy"),
    (http(503, 120, "RequestInProgressError"), False, PAUSE, "busy"),
    (http(503, None, "FetchError: 403"), False, ROUTE, "route"),  # RSSHub's route error
    (http(503), False, ROUTE, "http"),
    (http(500, None, "Error: x"), False, ROUTE, "route"),
    (http(502), False, INSTANCE, "http"),  # the gateway cannot reach RSSHub
    (http(504), False, ROUTE, "http"),  # one slow route behind a proxy
    (http(404, None, "NotFoundError"), False, ROUTE, "no_route"),
    (http(403, None, "RejectError"), True, INSTANCE, "access"),
    (http(403, None, "RejectError"), False, INSTANCE, "access"),
]


@pytest.mark.parametrize(("error", "has_key", "scope", "kind"), JUDGEMENTS)
def test_route_errors_are_not_instance_errors(
    error: FetchError, has_key: bool, scope: str, kind: str
) -> None:
    failure = judge(error, has_key)
    assert (failure.scope, failure.error.kind) == (scope, kind)


def test_a_403_names_the_config_problem() -> None:
    assert "a config problem: fix rsshub.key" in judge(http(403), True).error.message
    assert "wants an access key: set rsshub.key" in judge(http(403), False).error.message


PAUSES = [(429, None, True), (429, 5.0, True), (503, 5.0, True), (503, None, False),
          (500, 5.0, False), (404, None, False), (None, None, False)]  # fmt: skip


@pytest.mark.parametrize(("status", "retry_after", "pauses"), PAUSES)
def test_only_429_or_503_with_retry_after_pauses_a_host(
    status: int | None, retry_after: float | None, pauses: bool
) -> None:
    assert pauses_host(status, retry_after) is pauses


DEATHS = [("no_route", "no_route", 1, True), ("no_route", None, 0, False),
          ("no_route", "route", 3, False), ("route", "no_route", 1, False)]  # fmt: skip


@pytest.mark.parametrize(("kind", "before", "failures", "dead"), DEATHS)
def test_a_route_dies_at_its_second_404(
    kind: str, before: str | None, failures: int, dead: bool
) -> None:
    assert (route_death(kind, before, failures) is not None) is dead


# -- which instance ----------------------------------------------------------------------

A, B, C = Instance("https://a.test"), Instance("https://b.test"), Instance("https://c.test")
ROUTE3 = Route("/r", "", (), (A, B, C))
NOW = 1_000_000.0


def book(**state: dict[str, float]) -> RouteBook:
    """A book at NOW where ``paused``/``resting``/``route_resting`` map instance ids to ends."""
    routes = {"f": ROUTE3}
    out = RouteBook(routes, 300, 86400, lambda: NOW)
    for instance, until in state.get("paused", {}).items():
        out.instance(instance).paused_until = until
    for instance, until in state.get("resting", {}).items():
        out.instance(instance).rest_until = until
    for instance, until in state.get("route_resting", {}).items():
        out.on_route("f", instance).rest_until = until
    return out


CHOICES = [
    # state, instances tried already, the next one
    ({}, [], "a.test"),
    ({}, ["a.test"], "b.test"),
    ({"resting": {"a.test": NOW + 60}}, [], "b.test"),  # sticky while a rests
    ({"resting": {"a.test": NOW - 1}}, [], "a.test"),  # a's rest is over: back to a
    ({"route_resting": {"a.test": NOW + 60}}, [], "b.test"),  # this route broke on a
    ({"paused": {"a.test": NOW + 60}}, [], "b.test"),
    ({"paused": {"a.test": NOW + 60}, "resting": {"b.test": NOW + 9}}, [], "c.test"),
    # every other one failed: a resting instance is tried after all, a paused one never
    ({"resting": {"a.test": NOW + 60}}, ["b.test", "c.test"], "a.test"),
    ({"paused": {"a.test": NOW + 60}}, ["b.test", "c.test"], None),
    ({}, ["a.test", "b.test", "c.test"], None),
]


@pytest.mark.parametrize(("state", "tried", "expected"), CHOICES)
def test_which_instance_serves_a_route(
    state: dict[str, dict[str, float]], tried: list[str], expected: str | None
) -> None:
    chosen = book(**state).choose("f", ROUTE3, tried)
    assert (chosen.id if chosen else None) == expected


def test_failures_rest_the_instance_or_only_the_route() -> None:
    routes = book()
    routes.failed("f", "a.test", judge(http(503, None, "Error: x"), False))
    routes.failed("f", "b.test", judge(FetchError("refused", "refused"), False))
    routes.failed("f", "c.test", judge(http(429, 600), False))
    assert routes.on_route("f", "a.test").rest_until is not None
    assert routes.instance("a.test").rest_until is None  # a's other routes are fine
    assert routes.instance("b.test").rest_until is not None
    assert routes.instance("c.test").paused_until == NOW + 600
    # a second feed meeting the same outage does not double the rest
    routes.failed("g", "b.test", judge(FetchError("refused", "refused"), False))
    assert routes.instance("b.test").failures == 1
    error = combined_error(ROUTE3, [], routes)
    assert error.kind == "busy" and error.retry_after == 600  # c only paused: waits for c
    routes.succeeded("f", "b.test")
    assert routes.instance("b.test").rest_until is None and routes.instance("b.test").failures == 0


# -- the same item through another instance ------------------------------------------------


def item(guid: str | None, link: str) -> FeedItem:
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    return FeedItem(guid, link, "标题", "<p>正文</p>", None, when)


def test_an_item_keeps_its_key_whichever_instance_served_it(tmp_path: Path) -> None:
    config = parse_config(
        "rsshub: {instances: ['https://rss.example.com', 'https://rsshub.app']}\n"
        "feeds: {g: {s: {f: 'rsshub:/telegram/channel/x'}}}\n",
        tmp_path / "rsspress.yaml",
    )
    feed = config.feeds[0]
    via_first = [item(None, "https://rss.example.com/telegram/channel/x/1"),
                 item("https://www.example.org/2", "https://www.example.org/2")]  # fmt: skip
    via_second = [item(None, "https://rsshub.app/telegram/channel/x/1"), via_first[1]]
    first = new_items_of(feed, via_first, {})
    known = {key: Remembered(i.title, None) for key, i in first.items}
    assert new_items_of(feed, via_second, known).items == ()
    # published as they came: the item's own link is kept
    assert [i.link for _, i in first.items] == [i.link for i in via_first]
    # a key recorded by an older rsspress (the instance's URL in it) is recognized too
    older = {key: Remembered("标题", None) for key, _ in new_items(via_second, {}).items}
    assert new_items_of(feed, via_first, older).items == ()


# -- parameters and the config -------------------------------------------------------------

PARAMS = [
    ("limit", 50, "50"), ("limit", "20", "20"), ("limit", 0, ValueError), ("limit", True, ValueError),
    ("brief", 99, ValueError), ("brief", 150, "150"),
    ("mode", "fulltext", "fulltext"), ("mode", "full", ValueError),
    ("format", "atom", "atom"), ("format", "ums", ValueError),
    ("sorted", False, "false"), ("sorted", True, None), ("sorted", "false", "false"), ("sorted", 1, ValueError),
    ("opencc", "t2s", "t2s"), ("opencc", "zh", ValueError),
    ("filter_time", "7d", "604800"), ("filter_time", 3600, "3600"), ("filter_time", "soon", ValueError),
    ("filterout", "广告|推广", "广告|推广"), ("filter", "", ValueError),
    ("limit", None, None), ("tgiv", "x", ValueError), ("key", "S", ValueError),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "expected"), PARAMS)
def test_rsshub_parameters_are_checked(name: str, value: object, expected: object) -> None:
    if expected is ValueError:
        with pytest.raises(ValueError):
            param_value(name, value)
    else:
        assert param_value(name, value) == expected


def test_parameters_from_an_exported_opml() -> None:
    assert params_from_query("mode=fulltext&limit=50&sorted=false&filter=a%7Cb") == {
        "mode": "fulltext", "limit": 50, "sorted": False, "filter": "a|b"
    }  # fmt: skip
    with pytest.raises(ValueError, match="limit"):
        params_from_query("limit=-1")


CONFIG_ERRORS = [
    ("rsshub: {instances: []}\n", "rsshub.instances", "at least one"),
    ("rsshub: {instances: [ftp://x]}\n", "rsshub.instances[0]", "http(s) URL"),
    ("rsshub: {instances: ['https://x.test/?a=1']}\n", "rsshub.instances[0]", "without ?query"),
    ("rsshub: {instances: [https://x.test, 'https://X.test/']}\n", "rsshub.instances[1]", "listed twice"),
    ("rsshub: {key: '${RSSPRESS_TEST_UNSET_VARIABLE}'}\n", "rsshub.key", "RSSPRESS_TEST_UNSET_VARIABLE"),
    ("rsshub: {key: 12345}\n", "rsshub.key", "put the value in quotes"),
    ("rsshub: {params: {limit: -5}}\n", "rsshub.params.limit", "at least 1"),
    ("rsshub: {params: {limt: 5}}\n", "rsshub.params.limt", "one of"),
    ("rsshub: {feeds: {g: {mode: all}}}\n", "rsshub.feeds.g.mode", "fulltext"),
]  # fmt: skip


@pytest.mark.parametrize(("section", "key", "expected"), CONFIG_ERRORS)
def test_rsshub_config_errors_say_where(
    tmp_path: Path, section: str, key: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(section + "feeds: {g: {s: {f: 'rsshub:/x'}}}\n", tmp_path / "c.yaml")
    assert caught.value.key == key
    assert expected in caught.value.expected


FEED_ERRORS = [
    ("{url: 'https://x.test/f', rsshub: {limit: 5}}", "feeds.g.s.f.rsshub", "rsshub:/route feed"),
    ("{url: 'rsshub:/x?limit=5', rsshub: {limit: 5}}", "feeds.g.s.f", "each parameter once"),
    ("'rsshub:/x?code=1'", "feeds.g.s.f", "no ?code="),
    ("'rsshub:/x#y'", "feeds.g.s.f", "without spaces"),
]


@pytest.mark.parametrize(("feed", "key", "expected"), FEED_ERRORS)
def test_route_options_errors_say_where(tmp_path: Path, feed: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            f"rsshub: {{key: s3cret}}\nfeeds: {{g: {{s: {{f: {feed}}}}}}}\n", tmp_path / "c.yaml"
        )
    assert caught.value.key == key
    assert expected in caught.value.expected
    assert "s3cret" not in str(caught.value)


def test_the_key_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSSPRESS_RSSHUB_KEY", "from-env")
    monkeypatch.setenv("MY_HUB_KEY", "from-config")
    path = tmp_path / "c.yaml"
    plain = parse_config("rsshub: https://h.test\nfeeds: {g: {s: {f: 'rsshub:/x'}}}\n", path)
    assert [i.key for i in plain.rsshub.instances] == ["from-env"]
    named = parse_config(
        "rsshub:\n  instances: [https://a.test, {url: https://b.test, key: null}]\n"
        "  key: ${MY_HUB_KEY}\nfeeds: {g: {s: {f: 'rsshub:/x'}}}\n",
        path,
    )
    assert [i.key for i in named.rsshub.instances] == ["from-config", None]


def test_the_readmes_rsshub_example_is_a_working_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    section = readme.split("\n## RSSHub\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("RSSHUB_KEY", "k")
    monkeypatch.delenv("RSSPRESS_RSSHUB_KEY", raising=False)
    config = parse_config(example, tmp_path / "rsspress.yaml")
    own, public = config.rsshub.instances
    assert (own.base, own.key, public.base) == ("http://127.0.0.1:1200", "k", "https://rsshub.app")
    urls = {feed.name: feed.url for feed in config.feeds}
    assert urls["最新"] == "http://127.0.0.1:1200/cnbeta?mode=fulltext&limit=30&opencc=t2s"
    assert urls["苹果"].endswith(
        "/weibo/keyword/苹果?limit=30&filterout=%E5%B9%BF%E5%91%8A%7C%E6%8E%A8%E5%B9%BF"
    )
    one_key = parse_config(
        'rsshub:\n  instances:\n    - {url: http://127.0.0.1:1200, key: "${RSSHUB_KEY}"}\n'
        "    - https://rsshub.app\nfeeds: {g: {s: {f: 'rsshub:/x'}}}\n",
        tmp_path / "rsspress.yaml",
    )
    assert [i.key for i in one_key.rsshub.instances] == ["k", None]
