"""Dates: feed dates written in other languages than English, and the one rule for an
item's date (:func:`item_when`). Pure.

fastfeedparser reads RFC 822 and ISO 8601 dates, in English. Real feeds also
write them in the site's language: a Brazilian WordPress writes
``Seg, 24 Set 2018 19:42:40 -0300``, Spanish, French, German and Italian sites
``Mié, 10 Ene 2018``, ``lun., 3 févr. 2020``, ``Di, 04 Mär 2020``,
``gio, 05 mar 2020``, and Chinese, Japanese and Korean ones
``2020年1月10日 14:33``, ``2020年1月10日(金) 14時33分``, ``2020년 1월 10일 오후 2:33``.
:func:`parse_localized` reads these (day-month-year with the month's name or
abbreviation in Portuguese, Spanish, French, German, Italian or Dutch; the
weekday is ignored, as RFC 822 readers do). A date without a zone is UTC, as
fastfeedparser reads zone-less dates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_MAX_CHARS = 120  # a real date is far shorter; anything longer is not read

# Month names and abbreviations, lower case and without accents.
_MONTH_NAMES = {
    1: "jan janeiro enero ene janvier janv januar jan jaenner janner gennaio gen januari",
    2: "feb fev fevereiro febrero fevrier fevr februar febbraio februari",
    3: "mar marco marzo mars maerz marz mrz maart mrt maa",
    4: "apr abr abril avril avr april aprile",
    5: "mai maio may mayo mei maggio mag",
    6: "jun junho junio juin juni giugno giu",
    7: "jul julho julio juillet juil juli luglio lug",
    8: "aug ago agosto aout august augustus",
    9: "sep sept set setembro septiembre setiembre septembre september settembre",
    10: "oct okt out outubro octubre octobre oktober ottobre",
    11: "nov novembro noviembre novembre november",
    12: "dec dez dic dezembro diciembre decembre dezember dicembre december",
}
_MONTHS = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
# Zones by name that these sites write; numeric offsets are read as they are.
_ZONES = {
    "gmt": 0, "utc": 0, "ut": 0, "z": 0, "wet": 0, "west": 60, "bst": 60,
    "cet": 60, "cest": 120, "mez": 60, "mesz": 120, "eet": 120, "eest": 180,
    "brt": -180, "brst": -120, "art": -180,
}  # fmt: skip
# In a date written the CJK way, CST is China's (not US Central, as RFC 822 readers take it).
_CJK_ZONES = {**_ZONES, "cst": 480, "hkt": 480, "jst": 540, "kst": 540}

_WORD = r"[^\W\d_]+"
_TIME = (
    r"(?P<hour>\d{1,2})\s*[:h]\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2}))?"
    r"(?:\s*(?:uhr|hs|horas|h))?"
)
_ZONE = r"(?P<zone>[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})"
# [weekday[.][,]] day[.] [de] month[.] [de] year[,] [at-word] [time] [zone]
_EUROPEAN = re.compile(
    rf"(?:{_WORD}\.?,?\s+)?(?P<day>\d{{1,2}})\.?\s+(?:de\s+)?(?P<month>{_WORD})\.?,?\s+"
    rf"(?:de\s+)?(?P<year>\d{{4}}),?"
    rf"(?:\s+(?:{_WORD}\s+){{0,2}}?{_TIME})?(?:\s*{_ZONE})?",
    re.IGNORECASE,
)
_CJK = re.compile(
    r"(?P<year>\d{4})\s*[年/.\-년]\s*(?P<month>\d{1,2})\s*[月/.\-월]\s*(?P<day>\d{1,2})\s*[日号號일]?"
    r"\s*(?:[(（][^)）]{1,4}[)）]|(?:星期|周|週)[一二三四五六日天]|[月火水木金土日]曜日?"
    r"|[월화수목금토일]요일)?"
    r"\s*(?P<half>上午|下午|午前|午後|오전|오후|AM|PM)?"
    r"\s*(?:(?P<hour>\d{1,2})\s*[:：时時시]\s*(?P<minute>\d{1,2})\s*[分분]?"
    r"(?:\s*[:：]?\s*(?P<second>\d{1,2})\s*[秒초]?)?)?"
    rf"(?:\s*{_ZONE})?",
    re.IGNORECASE,
)
_AFTERNOON = frozenset(("下午", "午後", "오후", "pm"))


def parse_localized(text: str) -> dt.datetime | None:
    """``text`` as a timezone-aware datetime, or None if it is not such a date."""
    text = text.strip()
    if not text or len(text) > _MAX_CHARS:
        return None
    european = _EUROPEAN.fullmatch(text)
    if european is not None:
        month = _MONTHS.get(_ascii_lower(european["month"]))
        if month is None:
            return None
        return _datetime(european, month, hour_offset=0, zones=_ZONES)
    cjk = _CJK.fullmatch(text)
    if cjk is not None:
        half = (cjk["half"] or "").lower()
        afternoon = 12 if half in _AFTERNOON else 0
        return _datetime(cjk, int(cjk["month"]), hour_offset=afternoon, zones=_CJK_ZONES)
    return None


def _datetime(
    match: re.Match[str], month: int, *, hour_offset: int, zones: dict[str, int]
) -> dt.datetime | None:
    zone = _zone(match["zone"], zones)
    if zone is None:
        return None
    hour = int(match["hour"] or 0)
    if hour_offset and hour < 12:
        hour += hour_offset
    try:
        return dt.datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            hour,
            int(match["minute"] or 0),
            int(match["second"] or 0),
            tzinfo=zone,
        )
    except ValueError:  # 31 February, 25 o'clock
        return None


def _zone(text: str | None, zones: dict[str, int]) -> dt.timezone | None:
    """The zone a date names; UTC when it names none; None when it is unknown."""
    if not text:
        return dt.UTC
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if minutes >= 24 * 60:
            return None
        return dt.timezone(dt.timedelta(minutes=-minutes if text[0] == "-" else minutes))
    offset = zones.get(text.lower())
    return None if offset is None else dt.timezone(dt.timedelta(minutes=offset))


def _ascii_lower(word: str) -> str:
    """``Mär`` → ``mar``, ``févr`` → ``fevr``: month names as the table spells them."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class UnreadableDate(str):
    """The text of a date that no reader understood (fastfeedparser's, then ours).

    Handed to fastfeedparser in place of its ``None`` so that the item keeps
    it: rsspress falls back to when it first saw the item, and counts it.
    """


def localized_iso(text: str) -> str | None:
    """:func:`parse_localized` as fastfeedparser's UTC ISO string."""
    when = parse_localized(text)
    return when.astimezone(dt.UTC).isoformat() if when is not None else None


def item_when(date: str | dt.datetime | None, first_seen: float | dt.datetime) -> dt.datetime:
    """An item's date: its own (an offset-less one read as UTC), else when it was first seen.

    The one rule for an item's date: posts, file names, titles, retention, schedules
    and the site use it. ``date`` is the item's as the state keeps it (ISO text) or
    as the parser gives it; ``first_seen`` a timestamp or a datetime.
    """
    when = _from_iso(date) if isinstance(date, str) else date
    if when is None:
        if not isinstance(first_seen, dt.datetime):
            return dt.datetime.fromtimestamp(first_seen, dt.UTC)
        when = first_seen
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _from_iso(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
