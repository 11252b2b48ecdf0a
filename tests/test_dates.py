"""dates: feed dates in the site's language, and what happens to those nobody can read."""

from __future__ import annotations

import datetime as dt

import pytest

from rsspress.dates import item_when, parse_localized
from rsspress.parse import parse_feed


def zone(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def when(year: int, month: int, day: int, *clock: int, hours: float = 0) -> dt.datetime:
    hour, minute, second = (*clock, 0, 0, 0)[:3]
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone(hours))


LOCALIZED = [
    ("Seg, 24 Set 2018 19:42:40 -0300", when(2018, 9, 24, 19, 42, 40, hours=-3)),  # pt
    ("Qua, 03 Out 2018 10:00:00 -0300", when(2018, 10, 3, 10, hours=-3)),
    ("Sáb, 06 Out 2018 23:15:00 -0300", when(2018, 10, 6, 23, 15, hours=-3)),
    ("24 de setembro de 2018 às 19:42", when(2018, 9, 24, 19, 42)),
    ("Mié, 10 Ene 2018 08:00:00 +0100", when(2018, 1, 10, 8, hours=1)),  # es
    ("Sáb, 06 Dic 2019 23:59:59 GMT", when(2019, 12, 6, 23, 59, 59)),
    ("10 de enero de 2018 a las 08:00", when(2018, 1, 10, 8)),
    ("lun., 3 févr. 2020 10:00:00 +0100", when(2020, 2, 3, 10, hours=1)),  # fr
    ("mar., 17 déc. 2019 18:00:00 GMT", when(2019, 12, 17, 18)),
    ("jeu., 13 août 2020 12h30", when(2020, 8, 13, 12, 30)),
    ("Mo, 03 Feb 2020 10:00:00 +0100", when(2020, 2, 3, 10, hours=1)),  # de
    ("Di, 04 Mär 2020 09:30:00 +0100", when(2020, 3, 4, 9, 30, hours=1)),
    ("Do, 05 Mai 2022 12:00:00 MESZ", when(2022, 5, 5, 12, hours=2)),
    ("Fr, 5. Jän. 2024 08:15 Uhr", when(2024, 1, 5, 8, 15)),
    ("gio, 05 mar 2020 10:00:00 +0100", when(2020, 3, 5, 10, hours=1)),  # it
    ("lunedì, 16 marzo 2020 08:30", when(2020, 3, 16, 8, 30)),
    ("vr, 3 jan 2020 10:00:00 +01:00", when(2020, 1, 3, 10, hours=1)),  # nl
    ("2020年1月10日 14:33", when(2020, 1, 10, 14, 33)),  # zh
    ("2020年01月08日 09:05:00", when(2020, 1, 8, 9, 5)),
    ("2020年1月6日 下午3:20", when(2020, 1, 6, 15, 20)),
    ("2020年1月10日 星期五 14:33 CST", when(2020, 1, 10, 14, 33, hours=8)),
    ("2020年1月10日(金) 14時33分", when(2020, 1, 10, 14, 33)),  # ja
    ("2020年1月13日 午前10:00", when(2020, 1, 13, 10)),
    ("2020년 1월 10일 오후 2:33", when(2020, 1, 10, 14, 33)),  # ko
    # not dates, or no such day
    ("há 2 horas", None),
    ("31 fev 2020", None),
    ("Mon, 32 Foo 2020", None),
    ("2020年13月1日", None),
    ("3 févr. 2020 10:00 XYZ", None),  # a zone nobody knows: not guessed
    ("1", None),
    ("", None),
    ("lun., 3 févr. 2020 " + "1" * 200, None),
]


@pytest.mark.parametrize(("text", "expected"), LOCALIZED)
def test_localized_dates(text: str, expected: dt.datetime | None) -> None:
    parsed = parse_localized(text)
    assert parsed == expected
    if expected is not None:
        assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


def feed(*dates: str, guid_prefix: str = "https://x.example/") -> bytes:
    items = "".join(
        f"<item><title>t{n}</title><guid>{guid_prefix}{n}</guid><pubDate>{d}</pubDate></item>"
        for n, d in enumerate(dates)
    )
    return f'<rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode()


@pytest.mark.parametrize("own_text", [True, False])  # compat's path and the fast native one
def test_items_keep_their_localized_date_and_offset(own_text: bool) -> None:
    body = feed("Seg, 24 Set 2018 19:42:40 -0300", "2020年1月10日 14:33", "quarta-feira passada")
    pt, zh, unread = parse_feed(body, "https://x.example/", date_text=own_text).items
    assert pt.date == when(2018, 9, 24, 19, 42, 40, hours=-3)
    assert zh.date == when(2020, 1, 10, 14, 33)
    if own_text:  # the compat profile writes the feed's own text where Hexo reads it
        assert pt.date is not None and pt.date.utcoffset() == dt.timedelta(hours=-3)
        assert (pt.date_text, zh.date_text) == (
            "Seg, 24 Set 2018 19:42:40 -0300",
            "2020年1月10日 14:33",
        )
    assert not pt.date_unreadable and not zh.date_unreadable
    # Unreadable: no date (the post is dated when first seen), the text kept, counted.
    assert unread.date is None and unread.date_text == "quarta-feira passada"
    assert unread.date_unreadable


@pytest.mark.parametrize("own_text", [True, False])
def test_an_item_without_a_date_is_not_unreadable(own_text: bool) -> None:
    """fastfeedparser reads a guid as a date when an item has none: that is no date field."""
    body = b'<rss version="2.0"><channel><title>c</title><item><title>a</title><guid>abc-12</guid></item></channel></rss>'
    (item,) = parse_feed(body, "https://x.example/", date_text=own_text).items
    assert (item.date, item.date_text, item.date_unreadable) == (None, None, False)


def test_a_readable_updated_date_wins_over_an_unreadable_published_one() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id>
      <entry><id>1</id><title>a</title><published>avant-hier</published>
      <updated>2024-06-03T09:00:00+02:00</updated></entry></feed>"""
    (item,) = parse_feed(body, "https://x.example/").items
    assert item.date == when(2024, 6, 3, 9, hours=2) and not item.date_unreadable


_SEEN = 1_700_000_000.0  # 2023-11-14T22:13:20Z
_SEEN_AT = dt.datetime.fromtimestamp(_SEEN, dt.UTC)
_PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("date", "first_seen", "expected"),
    [
        ("2021-11-28T01:19:00+01:00", _SEEN, dt.datetime(2021, 11, 28, 1, 19, tzinfo=_PARIS)),
        ("2021-11-28T01:19:00", _SEEN, dt.datetime(2021, 11, 28, 1, 19, tzinfo=dt.UTC)),
        (None, _SEEN, _SEEN_AT),
        ("", _SEEN, _SEEN_AT),
        ("not a date", _SEEN, _SEEN_AT),
        (
            dt.datetime(2021, 11, 28, 1, 19, tzinfo=_PARIS),
            _SEEN_AT,
            when(2021, 11, 28, 1, 19, hours=1),
        ),
        (
            dt.datetime(2021, 11, 28, 1, 19),
            _SEEN_AT,
            dt.datetime(2021, 11, 28, 1, 19, tzinfo=dt.UTC),
        ),
        (None, _SEEN_AT, _SEEN_AT),
        (None, dt.datetime(2023, 1, 2, 3, 4), dt.datetime(2023, 1, 2, 3, 4, tzinfo=dt.UTC)),
    ],
    ids=[
        "iso with offset",
        "iso without offset",
        "none",
        "empty",
        "unreadable",
        "datetime",
        "naive datetime",
        "seen as datetime",
        "naive seen",
    ],
)
def test_item_when_is_the_one_rule_for_an_item_date(
    date: str | dt.datetime | None, first_seen: float | dt.datetime, expected: dt.datetime
) -> None:
    when = item_when(date, first_seen)
    assert when == expected and when.tzinfo is not None
    assert when.utcoffset() == expected.utcoffset()
