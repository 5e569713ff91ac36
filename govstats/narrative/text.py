"""Sentences of a section's text and the keys they are compared by.

* :func:`sentences` cuts at 。！？； (and their ASCII forms); a line break ends a sentence only
  after such a stop or after a short heading-like line (``（一）基本情况``): PDF text breaks lines
  in the middle of sentences.
* :func:`exact_key`: the sentence without whitespace, in NFKC (full-width digits and punctuation
  folded), so ``2023 年`` and ``2023年`` are the same sentence.
* :func:`number_key`: :func:`exact_key` with every number, year and run of Chinese numerals
  replaced by ``#``: two sentences with the same number key differ in their numbers only.
* :func:`shingles`: the set of character n-grams of :func:`number_key` (n = :data:`SHINGLE`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: character n-gram size of the shingles (3: short enough for two-character words to count)
SHINGLE = 3

_STOP = "。！？!?；;"
_SPLIT = re.compile(rf"[^{_STOP}]+[{_STOP}]*|[{_STOP}]+")
_HEADING_LINE = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,2}[）)]|[一二三四五六七八九十]{1,2}、|\d{1,2}[.．、])"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_CHINESE_NUMBER = re.compile(r"[零〇一二三四五六七八九十百千万亿两]+")
_SPACE = re.compile(r"\s+")


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` in order, each stripped, none empty."""
    out: list[str] = []
    for paragraph in _paragraphs(text):
        for m in _SPLIT.finditer(paragraph):
            s = m.group(0).strip()
            if s.strip(_STOP):
                out.append(s)
    return out


def _paragraphs(text: str) -> list[str]:
    out: list[str] = []
    buffer = ""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        heading = len(line) <= 30 and _HEADING_LINE.match(line) and line[-1] not in _STOP
        if heading and buffer:
            out.append(buffer)
            buffer = ""
        buffer += line
        if heading or line[-1] in _STOP:
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    return out


@lru_cache(maxsize=65536)
def exact_key(sentence: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", sentence)).rstrip(_STOP + ".,")


@lru_cache(maxsize=65536)
def number_key(sentence: str) -> str:
    return _CHINESE_NUMBER.sub("#", _NUMBER.sub("#", exact_key(sentence)))


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    key = number_key(text)
    if len(key) <= n:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i : i + n] for i in range(len(key) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (1.0 for two empty sets: nothing differs)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
