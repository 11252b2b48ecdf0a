"""Config: the documented shape loads; every error names file, line, key and expectation."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, run_cli
from rsspress.config import (
    CleanupRule,
    Config,
    ConfigError,
    ContentConfig,
    DaemonConfig,
    FetchConfig,
    ImagesConfig,
    OutputConfig,
    RetentionConfig,
    load_config,
    parse_config,
)
from rsspress.config.schema import READ_AS, ReadAs

ISSUE_SHAPE = """\
output: {dir: posts, format: hexo, profile: compat}     # profile: compat | default
state: state.db                   # SQLite file; relative paths are relative to this file
images:
  proxy: "https://cors.zfour.workers.dev/?{url}"        # {url}: the original URL
  rewrite: http                                         # http | all | none
  placeholder: "https://picsum.photos/400/300?random={n}"
rsshub: https://rsshub.app                              # base for rsshub:/route URLs
feeds:
  新媒体:                 # group   -> categories[0]
    ZAKER:                # site    -> categories[1] and author
      channel: rsshub:/zaker/channel/13   # feed name -> categories[2]
"""


def test_the_documented_shape_loads(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "rsspress.yaml"
    path.parent.mkdir()
    path.write_text(ISSUE_SHAPE, encoding="utf-8")

    config = load_config(path)

    assert config.outputs[0].dir == tmp_path / "conf" / "posts"
    assert config.outputs[0].profile == "compat"
    assert config.state == tmp_path / "conf" / "state.db"
    assert config.images.proxy == "https://cors.zfour.workers.dev/?{url}"
    assert config.images.rewrite == "http"
    (feed,) = config.feeds
    assert feed.categories == ("新媒体", "ZAKER", "channel")
    assert feed.url == "https://rsshub.app/zaker/channel/13"


def test_paths_and_file_urls_are_feed_urls(tmp_path: Path) -> None:
    text = "feeds:\n  g:\n    s:\n      a: feeds/a.xml\n      b: file:///srv/b.xml\n"
    config = parse_config(text, tmp_path / "rsspress.yaml")
    assert [f.url for f in config.feeds] == [
        (tmp_path / "feeds" / "a.xml").as_uri(),
        "file:///srv/b.xml",
    ]


@pytest.mark.parametrize(
    ("text", "line", "key", "expected"),
    [
        ("output: {profile: fancy}\nfeeds: {g: {s: {f: http://x/}}}\n", 1, "output.profile",
         "one of: compat, default"),
        ("feeds:\n  g:\n    s:\n      f: ftp://x/feed\n", 4, "feeds.g.s.f",
         "http, https, file or rsshub"),
        ("feeds:\n  g:\n    s:\n      f: rsshub:zaker\n", 4, "feeds.g.s.f", "RSSHub route"),
        ("feeds:\n  g:\n    s:\n      f: [a, b]\n", 4, "feeds.g.s.f", "a single value"),
        ("outptu: {dir: x}\nfeeds: {g: {s: {f: http://x/}}}\n", 1, "outptu", "a known key"),
        ("images:\n  proxy: https://p.example/\nfeeds: {g: {s: {f: http://x/}}}\n", 2,
         "images.proxy", "{url}"),
        ("fetch:\n  per_host: -1\nfeeds: {g: {s: {f: http://x/}}}\n", 2, "fetch.per_host",
         "positive whole number"),
        ("feeds:\n  g:\n    s:\n      f: http://x/a\n      f: http://x/b\n", 5, "feeds.g.s.f",
         "given twice"),
        ("state: db\n", 1, "feeds", "feeds:"),
        ("feeds:\n  g: [oops\n", 3, "yaml", "valid YAML"),
    ],
)  # fmt: skip
def test_errors_name_file_line_key_and_expectation(
    tmp_path: Path, text: str, line: int, key: str, expected: str
) -> None:
    path = tmp_path / "rsspress.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert (error.file, error.line, error.key) == (str(path), line, key)
    assert expected in error.expected
    assert str(error).startswith(f"{path}:{line}: {key}: ")


def test_a_bad_config_exits_2_and_runs_nothing(tmp_path: Path) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        "output: {profile: fancy}\nstate: state.db\nfeeds: {g: {s: {f: http://127.0.0.1:9/}}}\n",
        encoding="utf-8",
    )
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "rsspress.yaml:1: output.profile: one of: compat, default" in result.stderr
    assert not (tmp_path / "state.db").exists()
    assert not (tmp_path / "posts").exists()


def test_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "rsspress init" in result.stderr


def test_init_writes_a_commented_example_that_loads(tmp_path: Path) -> None:
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "rsspress.yaml").read_text(encoding="utf-8")
    assert text.count("#") > 10
    config = load_config(tmp_path / "rsspress.yaml")
    assert config.feeds[0].categories == ("新媒体", "ZAKER", "channel")
    again = run_cli("init", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr


@pytest.mark.parametrize("example", ["offline", "rsshub"])
def test_bundled_examples_load(example: str) -> None:
    config = load_config(REPO / "examples" / example / "rsspress.yaml")
    assert len(config.feeds) >= 4


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run_cli("run", "--no-such-flag", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize(
    ("fmt", "folder"),
    [("hexo", "posts"), ("hugo", "content/posts"), ("jekyll", "_posts"), ("html", "site")],
)
def test_init_format_writes_that_output_in_its_usual_folder(
    tmp_path: Path, fmt: str, folder: str
) -> None:
    result = run_cli("init", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (output,) = load_config(tmp_path / "rsspress.yaml").outputs
    assert (output.format, output.dir) == (fmt, tmp_path / folder)
    # Hugo 0.162+ needs the site's [security] setting: said for a Hugo output only.
    assert ("allowContent = ['! ^text/org$']" in result.stdout) == (fmt == "hugo")


@pytest.mark.parametrize(
    ("text", "default", "feed"),
    [
        ("feeds: {g: {s: {f: http://x/}}}\n", 200, None),
        ("fetch: {max_new_items: 50}\nfeeds: {g: {s: {f: http://x/}}}\n", 50, None),
        ("feeds: {g: {s: {f: {url: http://x/, max_new_items: 5000}}}}\n", 200, 5000),
    ],
)
def test_the_cap_on_new_items_per_fetch(text: str, default: int, feed: int | None) -> None:
    config = parse_config(text, Path("/srv/rsspress.yaml"))
    assert (config.fetch.max_new_items, config.feeds[0].max_new_items) == (default, feed)


@pytest.mark.parametrize(
    "text",
    [
        "fetch: {max_new_items: 0}\nfeeds: {g: {s: {f: http://x/}}}\n",
        "feeds: {g: {s: {f: {url: http://x/, max_new_items: many}}}}\n",
    ],
)
def test_a_cap_must_be_a_positive_whole_number(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/srv/rsspress.yaml"))
    assert caught.value.key.endswith("max_new_items")
    assert "positive whole number" in caught.value.expected


# Every key of a section is a field of its dataclass: each is accepted under its own name,
# and a misspelt one is refused with the name it resembles. The cases come from the
# fields, so a new option is tested here without a line more.
Place = Callable[[dict[str, Any]], dict[str, Any]]  # a section's keys → the config around them


@dataclasses.dataclass(frozen=True)
class Section:
    where: str  # its keys' prefix in errors
    schema: type[Any]
    place: Place
    read: Callable[[Config], Any]  # where the loaded config holds it
    minimal: tuple[tuple[str, Any], ...] = ()  # what it needs to be there at all


SECTIONS = (
    Section("fetch", FetchConfig, lambda keys: {"fetch": keys}, lambda c: c.fetch),
    Section("daemon", DaemonConfig, lambda keys: {"daemon": keys}, lambda c: c.daemon),
    Section("retention", RetentionConfig, lambda keys: {"retention": keys}, lambda c: c.retention),
    Section("images", ImagesConfig, lambda keys: {"images": keys}, lambda c: c.images),
    Section(
        "output",
        OutputConfig,
        lambda keys: {"output": {"format": "html", **keys}},  # the site's keys too
        lambda c: c.outputs[0],
    ),
    Section("content", ContentConfig, lambda keys: {"content": keys}, lambda c: c.content),
    Section(
        "content.rules[0]",
        CleanupRule,
        lambda keys: {"content": {"rules": [keys]}},
        lambda c: c.content.rules[0],
        minimal=(("name", "rule"),),
    ),
)
# Values that a check across keys, or a nested structure, needs (the rest follow the type).
SAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("output", "profile"): {"format": "hexo", "profile": "compat"},  # compat is Hexo only
    ("output", "base_url"): {"base_url": "/news/"},
    ("output", "timezone"): {"timezone": "Asia/Shanghai"},
    ("images", "proxy"): {"proxy": "https://p.example/?{url}"},
    ("content", "rules"): {"rules": [{"hosts": ["a.example"], "remove": [".ad"]}]},
    ("content", "filters"): {"filters": [{"drop": {"title": "广告"}}]},
}
FOLDER = "sample"  # a path option's value: a folder beside the config


def _sample(spec: dataclasses.Field[Any], kind: Any) -> Any:
    """A YAML value for the option that differs from its default."""
    how = spec.metadata.get(READ_AS, ReadAs())
    default = spec.default
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        (kind,) = (t for t in typing.get_args(kind) if t is not types.NoneType)
    if how.duration:
        return "7m"
    if kind is bool:
        return not default
    if kind is int:
        return default + 1 if isinstance(default, int) else 7
    if kind is float:
        return 7.5
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(member.value for member in kind if member != default)
    if kind is str:
        return next(c for c in how.choices if c != default) if how.choices else "sample"
    if kind is bytes or kind is Path:
        return FOLDER
    if kind == tuple[str, ...]:
        return ["10.1.0.0/16"] if how.networks else ["sample.example"]
    raise AssertionError(f"{spec.name}: add a sample value for {kind} to SAMPLES")


def _cases() -> list[Any]:
    cases = []
    for section in SECTIONS:
        hints = typing.get_type_hints(section.schema)
        for spec in dataclasses.fields(section.schema):
            keys = SAMPLES.get((section.where, spec.name))
            keys = keys or {spec.name: _sample(spec, hints[spec.name])}
            cases.append(pytest.param(section, spec.name, keys, id=f"{section.where}.{spec.name}"))
    return cases


def _document(section: Section, keys: dict[str, Any]) -> str:
    document = {**section.place(keys), "feeds": {"g": {"s": {"f": "http://x/"}}}}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize(("section", "name", "keys"), _cases())
def test_every_field_is_a_key_of_its_section(
    tmp_path: Path, section: Section, name: str, keys: dict[str, Any]
) -> None:
    (tmp_path / FOLDER).mkdir()
    path = tmp_path / "rsspress.yaml"
    given = section.read(parse_config(_document(section, {**dict(section.minimal), **keys}), path))
    default = section.read(parse_config(_document(section, dict(section.minimal)), path))
    assert getattr(given, name) != getattr(default, name)


@pytest.mark.parametrize(("section", "name", "keys"), _cases())
def test_a_misspelt_key_is_refused_with_the_one_it_resembles(
    section: Section, name: str, keys: dict[str, Any]
) -> None:
    misspelt = name + name[-1]
    text = _document(section, {misspelt: 1})
    line = next(n for n, words in enumerate(text.splitlines(), 1) if misspelt in words)
    names = ", ".join(spec.name for spec in dataclasses.fields(section.schema))
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/srv/rsspress.yaml"))
    assert str(caught.value) == (
        f"/srv/rsspress.yaml:{line}: {section.where}.{misspelt}: a known key"
        f" (did you mean `{name}`?); one of: {names}"
    )
