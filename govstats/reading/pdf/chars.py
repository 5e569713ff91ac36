"""Characters as pdfplumber gives them: the ``Char`` type, the distance tolerances every layer
of the PDF reader measures with, glyph cleaning, and tests on the text of characters."""

from __future__ import annotations

import re
import unicodedata

#: a char, as pdfplumber gives it (dict with text, x0, x1, top, bottom, size, ...)
Char = dict


#: pdf points; positions closer than this are the same rule / the same line
SNAP = 3.0
#: share of the page height at top and bottom where headers and footers live
MARGIN_ZONE = 0.12
#: a gap wider than this many character sizes splits a line into cells (unruled tables)
CELL_GAP_EM = 0.9
#: a gap wider than this many character sizes inside a cell or paragraph line is a space
SPACE_GAP_EM = 0.25


_NUMERIC = re.compile(r"^[\s+\-−－]*[0-9０-９][0-9０-９,，.．\s]*(?:%|％|元|万元|件|个|条|项)?$")
_ENUMERATOR = re.compile(r"^[（(]?[一二三四五六七八九十百\d]+[)）、.．]")


def _is_number(text: str) -> bool:
    """A value's text: digits with separators, an optional sign and unit (``1,234``, ``5%``,
    ``3件``)."""
    return bool(_NUMERIC.match(text)) and any(ch.isdigit() for ch in text)


def _is_cjk(ch: str) -> bool:
    """A CJK ideograph, CJK punctuation or full-width form (set without spaces between them)."""
    return bool(ch) and (
        "\u3000" <= ch <= "\u303f"
        or "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’、，。：；！？（）《》"
    )


def _fold(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    return re.sub(r"\s+", " ", text).strip()


#: CJK Radicals Supplement forms that are glyph-identical to common (simplified) ideographs;
#: Unicode gives them no decomposition, so NFKC leaves them alone.
_RADICAL_SUPPLEMENT = dict(
    zip(
        "⺁⺊⺒⺓⺝⺟⺠⺩⺼⻁⻄⻅⻆⻈⻉⻋⻓⻔⻘⻚⻛⻜⻝⻠⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳⺰",
        "厂卜巳幺月母民王月虎西见角讠贝车长门青页风飞食饣马骨鬼鱼鸟卤麦黄黾齐齿龙龟纟",
        strict=True,
    )
)


def _ideograph(ch: str) -> str:
    """The ideograph a radical or compatibility code point is drawn as; other characters
    unchanged."""
    if (
        "\u2f00" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff"
    ):  # Kangxi radicals, compatibility ideographs
        return unicodedata.normalize("NFKC", ch)
    return _RADICAL_SUPPLEMENT.get(ch, ch)


#: code points read as others: the angle brackets ``〈〉`` U+2329/U+232A are canonically
#: U+3008/U+3009 (pdfium gives the latter); Latin ligatures are their letters (pdfminer gives
#: a ligature glyph without ToUnicode as ``ﬁ``, pdfium as ``f`` ``i``)
_EQUIVALENTS = {"\u2329": "\u3008", "\u232a": "\u3009"} | {
    chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)
}


def _clean_char(char: Char) -> Char:
    """Radical and compatibility code points some PDF producers emit stand for the ideographs
    they are drawn as (``⼈`` U+2F08 is ``人``): read them as those ideographs; the code points
    of :data:`_EQUIVALENTS` as the ones they stand for."""
    text = char["text"]
    if len(text) == 1 and not (
        "\u2e80" <= text <= "\u2fdf" or "\uf900" <= text <= "\ufaff" or text in _EQUIVALENTS
    ):
        return char  # the common case, decided without a loop
    if any(
        "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" or ch in _EQUIVALENTS
        for ch in text
    ):
        text = "".join(_EQUIVALENTS.get(ch) or _ideograph(ch) for ch in text)
        char = dict(char, text=text)
    return char
