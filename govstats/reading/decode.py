"""Bytes → text, detecting the encoding rather than assuming it.

Order: a byte-order mark; the charset an HTML ``<meta>`` declares; strict UTF-8; then
charset_normalizer's best guess (GB2312/GBK are read as GB18030, their superset).
"""

from __future__ import annotations

import codecs
import re

from govstats.errors import ParseError

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "gb_2312", "gb-2312", "cp936", "x-gbk", "euc-cn", "hz-gb-2312"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _codec(name: str) -> str | None:
    name = name.strip().lower()
    if name in _GB:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


#: every line break a text may carry besides ``\n``: ``\r\n``, ``\r`` alone (old Mac files,
#: crawler dumps), vertical tab, NEL, and the Unicode line and paragraph separators. A form
#: feed (a page break of PDF-to-text tools) is kept: it is a line break to every reader
#: (``str.splitlines``) and says where a page ends (page numbers stand next to it)
_BREAKS = re.compile("\r\n?|[\x0b\x85\u2028\u2029]")
_BREAK_CHARS = ("\r", "\x0b", "\x85", "\u2028", "\u2029")


def normalise_breaks(text: str) -> str:
    """Every kind of line break as ``\n`` but the form feed (one character per break, so line
    numbers are those of ``str.splitlines``); a text with none of them is returned as it is."""
    if not any(ch in text for ch in _BREAK_CHARS):
        return text
    return _BREAKS.sub("\n", text)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)`` with every line break as ``\n``
    (:func:`normalise_breaks`). Raises ParseError for binary data."""
    text, encoding = _decode(data, name)
    return normalise_breaks(text), encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data.decode(bom_codec), bom_codec
    m = _META.search(data[:8192])
    if m:
        codec = _codec(m.group(1).decode("ascii", "replace"))
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                pass  # the declaration lies; detect instead
    if b"\x00" in data[:4096]:
        raise ParseError("binary data, not a text, HTML, PDF or Word report", source=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ParseError("cannot determine the text encoding (binary data?)", source=name)
    codec = _codec(best.encoding) or best.encoding
    # charset_normalizer may name a GB subset for Chinese text; the superset reads all of them
    if codec.replace("_", "").lower() in {
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "hz",
    } or codec.startswith("gb"):
        codec = "gb18030" if codec != "big5" else codec
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"cannot decode as {codec} ({exc.reason} at byte {exc.start})", source=name
        ) from exc
    if _looks_binary(text):
        raise ParseError("binary data, not a text, HTML, PDF or Word report", source=name)
    return text, codec


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f\v")
    return control / len(sample) > 0.05
