"""Feed bytes to UTF-8, whatever the feed declared, region by region.

Real feeds lie about their encoding, and some mix two: a Danish site declared
ISO-8859-1, wrote its channel in Latin-1 and its items in UTF-8; Chinese feeds
declare ``gb2312`` while a proxy re-encoded them as UTF-8, or the other way
round. The rules, in order:

1. UTF-16 and UTF-32 (a BOM, or the byte pattern of ``<?xml`` in them) are
   decoded first, before anything works on bytes.
2. A document that is valid UTF-8 is UTF-8: text in a legacy encoding is
   practically never valid UTF-8 by chance.
3. Otherwise each run of non-ASCII bytes is decoded on its own: as UTF-8 when
   it is valid UTF-8 and its characters are plausible there (see
   :func:`_plausible_utf8`), else with the document's legacy encoding: the one
   it declares, the one HTTP names, or the one detected (:func:`detect_legacy`).

Detection is charset-normalizer's, restricted to the encodings our feeds come
in (GB18030, Big5, Shift-JIS, EUC-JP, EUC-KR, windows-1252), and checked
against what each reading looks like: GB18030 stays the choice unless another
reading is at least as plausible and shows its own script (kana for Japanese,
Hangul for Korean). Most of our feeds are Chinese: a Chinese feed read as
anything else costs more than a Korean one read as Chinese.

ftfy was measured too: it repairs mojibake in text already decoded (it fixes
``BrÃ¸ndby``) but only for Latin-script encodings, and guesses from the text
alone; with the bytes in hand, decoding each run right is exact and covers a
GBK channel with UTF-8 items as well.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

_XML_DECLARATION = re.compile(
    rb"""^(\xef\xbb\xbf)?(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])"""
)
_WIDE_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Labels that mean "some Unicode": what they say is checked on the bytes, not believed.
_UNICODE_LABELS = frozenset(
    "utf-8 utf8 unicode-1-1-utf-8 utf-16 utf16 utf-16le utf-16be ucs-2 unicode "
    "utf-32 utf32 utf-32le utf-32be ucs-4".split()
)
# What browsers (WHATWG Encoding) decode each label with: the superset.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "gb_2312-80": "gb18030", "chinese": "gb18030",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "iso_8859-1": "cp1252",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "ms_kanji": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "euc_kr": "cp949", "ks_c_5601-1987": "cp949", "korean": "cp949",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "euc-jp": "euc_jp",
}  # fmt: skip
# A server's default rather than the author's word: checked against detection.
_DEFAULT_LABELS = frozenset(("cp1252",))
# Detection's candidates, by charset-normalizer's names; GB18030 first.
_CANDIDATES = ("gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "cp1252")
_DETECTED_AS = {"shift_jis": "cp932", "euc_kr": "cp949", "big5": "big5hkscs"}
_EVIDENCE_CHARS = 4000  # non-ASCII characters judged per reading: enough, and bounded
_DETECTION_BYTES = 64 * 1024
_MIN_HANGUL = 8


def utf8_document(body: bytes, http_charset: str | None = None) -> bytes:
    """The document as UTF-8 bytes, its XML declaration (if any) saying so."""
    wide = _wide_encoding(body)
    if wide is not None:
        codec, skip = wide
        return _declare_utf8(body[skip:].decode(codec, errors="replace").encode("utf-8"))
    declaration = _XML_DECLARATION.match(body)
    declared = declaration.group(3).decode("ascii").lower() if declaration else None
    # A download cut inside a character is still UTF-8 (issue 12: salvage reads its whole items).
    if _decoded(body, "utf-8") is not None:
        if declared is not None and declared.startswith("iso-2022") and b"\x1b" in body:
            # 7-bit encodings are valid UTF-8 bytes; their escapes say what they are.
            text = body.decode(_codec_name(declared) or "utf-8", errors="replace")
            return _declare_utf8(text.encode("utf-8"))
        if declared in (None, "utf-8", "utf8"):
            return body
        return _declare_utf8(body)
    legacy = _legacy_codec(_legacy_sample(body), declared, http_charset)
    return _declare_utf8(decode_mixed(body, legacy).encode("utf-8"))


def _declare_utf8(document: bytes) -> bytes:
    return _XML_DECLARATION.sub(rb"\g<1>\g<2>utf-8\g<4>", document, count=1)


def _wide_encoding(body: bytes) -> tuple[str, int] | None:
    """UTF-16/32 by its BOM, or by the zero bytes around ``<`` (XML 1.0 appendix F)."""
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    head = body[:4]
    if head == b"\x00\x00\x00<":
        return "utf-32-be", 0
    if head == b"<\x00\x00\x00":
        return "utf-32-le", 0
    # "<?", or white space then "<", in UTF-16: every other byte is zero.
    sample = body[:64]
    if len(sample) >= 8 and sample.count(0) * 2 >= len(sample) - 2:
        if not any(sample[0::2]) and all(sample[1::2][:4]):
            return "utf-16-be", 0
        if not any(sample[1::2]) and all(sample[0::2][:4]):
            return "utf-16-le", 0
    return None


def _codec_name(label: str | None) -> str | None:
    """The Python codec for an encoding label, its superset where browsers use one."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _UNICODE_LABELS:
        return None
    name = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _legacy_codec(sample: bytes, declared: str | None, http_charset: str | None) -> str:
    """The encoding of the document's non-UTF-8 runs: declared, from HTTP, or detected."""
    for label in (declared, http_charset):
        codec = _codec_name(label)
        if codec is None or _decoded(sample, codec) is None:
            continue
        if codec in _DEFAULT_LABELS:
            # Servers (and CMS templates) say ISO-8859-1 by default: a GBK or Shift-JIS
            # body under that label is read as what it shows itself to be.
            detected = detect_legacy(sample)
            return detected if detected != "gb18030" or _evidence_beats_latin(sample) else codec
        return codec
    return detect_legacy(sample)


def _evidence_beats_latin(sample: bytes) -> bool:
    chinese = _decoded(sample, "gb18030")
    if chinese is None:
        return False
    latin = sample.decode("cp1252", errors="replace")
    return _plausibility("gb18030", chinese) > max(0.9, _plausibility("cp1252", latin))


def detect_legacy(sample: bytes) -> str:
    """The legacy encoding of ``sample`` (bytes that are not UTF-8); GB18030 when unsure."""
    sample = sample[:_DETECTION_BYTES]
    readings: dict[str, str] = {}
    for name in _CANDIDATES:
        text = _decoded(sample, _DETECTED_AS.get(name, name))
        if text is not None:
            readings[name] = text
    if not readings:
        return "gb18030"  # decoded with replacement characters where it fails
    scores = {name: _plausibility(name, text) for name, text in readings.items()}
    import charset_normalizer  # 11 ms to import: only undeclared legacy documents need it

    matches = charset_normalizer.from_bytes(sample, cp_isolation=list(readings))
    ranked = [match.encoding for match in matches]
    for name in (*ranked, *readings):
        if name in readings and _believable(name, readings, scores):
            return _DETECTED_AS.get(name, name)
    fallback = "gb18030" if "gb18030" in readings else next(iter(readings))
    return _DETECTED_AS.get(fallback, fallback)


def _believable(name: str, readings: dict[str, str], scores: dict[str, float]) -> bool:
    """Whether reading the bytes as ``name`` is believable against the other readings.

    GB18030 is believed unless another reading is as plausible and shows its
    own script; any other reading must be plausible, at least as plausible as
    the Chinese one, and (Japanese, Korean) show its script.
    """
    if name == "gb18030":
        return all(
            scores["gb18030"] > scores[other]
            if other in ("shift_jis", "euc_jp", "euc_kr")
            else scores["gb18030"] >= scores[other]
            for other in readings
            if other != "gb18030" and _shows_its_script(other, readings[other])
        )
    chinese = scores.get("gb18030", 0.0)
    return scores[name] >= max(0.8, chinese) and _shows_its_script(name, readings[name])


def _shows_its_script(name: str, text: str) -> bool:
    """Japanese writes kana (Chinese hardly ever does); Korean writes Hangul."""
    if name not in ("shift_jis", "euc_jp", "euc_kr"):
        return True
    letters = _non_ascii(text)
    if name == "euc_kr":
        # Short Chinese texts read as Korean can be all Hangul (GB2312's first rows
        # are KS X 1001's Hangul): eight syllables at least before Korean is believed.
        hangul = sum(1 for c in letters if "\uac00" <= c <= "\ud7a3")
        return hangul * 2 >= len(letters) and hangul >= _MIN_HANGUL
    return sum(1 for c in letters if "\u3040" <= c <= "\u30ff") * 20 >= len(letters) > 0


def _non_ascii(text: str) -> list[str]:
    return [c for c in text[: _EVIDENCE_CHARS * 4] if ord(c) > 0x7F][:_EVIDENCE_CHARS]


def _plausibility(name: str, text: str) -> float:
    """The share of non-ASCII characters that are everyday ones in that encoding's language.

    Each CJK encoding orders its repertoire: punctuation, then the common
    characters (GB2312 level 1, Big5's frequent set, JIS level 1, KS X 1001's
    Hangul), then the rare ones. Bytes read with the wrong CJK encoding land on
    rare characters; Chinese bytes read as windows-1252 give runs of accented
    letters where Latin text has them one at a time.
    """
    letters = _non_ascii(text)
    if not letters:
        return 1.0
    if name == "cp1252":
        common = 0
        for run in re.findall(r"[^\x00-\x7f]+", text[: _EVIDENCE_CHARS * 4]):
            if len(run) <= 2:
                common += sum(1 for c in run if c in _LATIN_COMMON)
        return common / len(letters)
    return sum(1 for c in letters if _everyday(name, c)) / len(letters)


_LATIN_COMMON = frozenset(
    [chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)]
    + list("\xa0«»°§©®±·¿¡€‚„…–—‘’“”•ŒœŠšŸŽž")
)
_EVERYDAY_LEADS = {  # the encoding to judge with, and the lead bytes of everyday characters
    "gb18030": ("gb2312", (range(0xA1, 0xA4), range(0xB0, 0xD8))),
    "big5": ("big5", (range(0xA1, 0xA4), range(0xA4, 0xC7))),
    "shift_jis": ("euc_jp", (range(0xA1, 0xA6), range(0xB0, 0xD0))),
    "euc_jp": ("euc_jp", (range(0xA1, 0xA6), range(0xB0, 0xD0))),
    "euc_kr": ("euc_kr", (range(0xA1, 0xA4), range(0xB0, 0xC9))),
}


@functools.lru_cache(maxsize=65536)
def _everyday(name: str, char: str) -> bool:
    codec, leads = _EVERYDAY_LEADS[name]
    try:
        encoded = char.encode(codec)
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and any(encoded[0] in r for r in leads)


def _decoded(data: bytes, codec: str) -> str | None:
    """``data`` decoded strictly, or None; a character cut off at the end is no error."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(data, final=False)
    except UnicodeDecodeError:
        return None


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
# A whole run of non-ASCII bytes that is valid UTF-8. Linear: the lookbehind lets it
# start only where a run starts, and a run that fails backs off one character a step.
_UTF8_RUN = re.compile(
    rb"(?<![\x80-\xff])(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})+"
    rb"(?![\x80-\xff])"
)


def _legacy_sample(body: bytes) -> bytes:
    """What detection judges: 64 KB of the document from its first run that is not UTF-8,
    with the runs that are UTF-8 blanked out."""
    try:
        body.decode("utf-8")
        first = 0
    except UnicodeDecodeError as exc:
        first = exc.start
    start = max(0, first - 256)
    return _NON_ASCII_RUN.sub(_keep_legacy_runs, body[start : start + _DETECTION_BYTES])


def _keep_legacy_runs(match: re.Match[bytes]) -> bytes:
    """For detection: a valid UTF-8 run becomes a space, anything else stays."""
    run = match.group()
    try:
        run.decode("utf-8")
    except UnicodeDecodeError:
        return run
    return b" "


def decode_mixed(body: bytes, legacy: str) -> str:
    """Decode each run of non-ASCII bytes as UTF-8 where it is, else as ``legacy``.

    Only runs that are valid UTF-8 are looked at one by one; everything between
    them is decoded with ``legacy`` in one go, so a legacy character whose trail
    byte is ASCII (GBK, Big5, Shift-JIS) or a digit (GB18030's four-byte form)
    stays whole. Linear in the length of ``body``.
    """
    out: list[str] = []
    legacy_from = 0
    for match in _UTF8_RUN.finditer(body):
        text = _plausible_utf8(match.group(), legacy)
        if text is None:
            continue
        out.append(body[legacy_from : match.start()].decode(legacy, errors="replace"))
        out.append(text)
        legacy_from = match.end()
    out.append(body[legacy_from:].decode(legacy, errors="replace"))
    return "".join(out)


def _plausible_utf8(run: bytes, legacy: str) -> str | None:
    """``run`` read as UTF-8, if it is UTF-8 that legacy text would not form by chance.

    Legacy text forms two-byte UTF-8 characters by chance (``É”`` in
    windows-1252 is the valid UTF-8 ``ɔ``; the GBK bytes of ``欧元`` are
    ``ŷԪ``). Under a single-byte encoding they count only when that encoding
    has them too, as an ``ø`` or an ``é``; longer ones (curly quotes, CJK,
    emoji) count when assigned. Under a CJK encoding, whose characters are
    all two bytes, the run must hold CJK text in UTF-8: common characters of
    that language (and punctuation), at least one of them three bytes long.
    """
    try:
        text = run.decode("utf-8")
    except UnicodeDecodeError:
        return None
    repertoire = _CJK_REPERTOIRES.get(legacy)
    if repertoire is not None:
        wide = False
        for char in text:
            code = ord(char)
            wide = wide or code >= 0x800
            if not (_is_cjk_punctuation(code) or _encodable(char, repertoire)):
                return None
        return text if wide else None
    for char in text:
        code = ord(char)
        if code < 0x800:
            if code < 0xA0 or not _encodable(char, legacy):
                return None
        elif unicodedata.category(char) in ("Cn", "Co", "Cs"):
            return None
    return text


# What a CJK legacy encoding's UTF-8 neighbours are judged with: its language's
# everyday repertoire (GB18030 can encode all of Unicode, so it says nothing).
_CJK_REPERTOIRES = {
    "gb18030": "gbk", "gbk": "gbk", "gb2312": "gbk", "big5hkscs": "big5", "big5": "big5",
    "cp932": "shift_jis", "shift_jis": "shift_jis", "euc_jp": "shift_jis", "cp949": "cp949",
    "euc_kr": "cp949",
}  # fmt: skip


def _is_cjk_punctuation(code: int) -> bool:
    """General and CJK punctuation, full-width forms: shared by every CJK text."""
    return 0x2000 <= code < 0x2070 or 0x3000 <= code < 0x3040 or 0xFF00 <= code < 0xFFF0


@functools.lru_cache(maxsize=4096)
def _encodable(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True
