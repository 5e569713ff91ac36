"""One year's text against the year before, section by section.

For each section code both years print (several sections of one code are read as one text):

* ``similarity``: the Jaccard index of the two texts' character 3-gram shingles, numbers and
  years folded (:mod:`govstats.narrative.text`): 1.0 for the same text in other numbers, near
  0 for unrelated text; order-insensitive, so moved paragraphs still count as the same text;
* every sentence of this year, by what it is against last year's sentences of the section:
  ``unchanged`` (the same sentence), ``renumbered`` (the same but for its numbers and years),
  ``edited`` (not the same, but its shingles overlap a sentence of last year's by at least
  :data:`EDITED`), or ``new``;
* ``carried_share``: the share of this year's characters in unchanged and renumbered sentences;
* the finding :data:`COPIED_PROBLEMS` when ``carried_share`` of ``problems`` is at least
  :data:`COPIED_SHARE`; and last year's problems next to this year's improvements
  (:func:`split_problems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from govstats.narrative.text import exact_key, jaccard, number_key, sentences, shingles
from govstats.report import Report, Section

#: the finding's wording (one place; tests and renderings use it)
COPIED_PROBLEMS = "problems section largely copied from last year"
#: the share of this year's 存在的主要问题 text (characters, unchanged or renumbered sentences)
#: from which the section counts as copied: "most of it", i.e. more than half of it
COPIED_SHARE = 0.5
#: shingle overlap from which a changed sentence counts as an edit of last year's
EDITED = 0.6
STATUSES = ("unchanged", "renumbered", "edited", "new")

#: where 改进情况 starts in 五、存在的主要问题及改进情况
_IMPROVEMENT_START = (
    "下一步",
    "下步",
    "今后",
    "改进",
    "整改",
    "针对",
    "为此",
    "对此",
    "我们将",
    "接下来",
)
_IMPROVEMENT_WORDS = ("改进措施", "整改措施", "改进情况", "整改情况", "改进方向", "下一步")


@dataclass(frozen=True)
class SentenceMatch:
    """A sentence of this year's section and what it is against last year's."""

    text: str
    status: str  # one of STATUSES
    previous: str | None = None  # last year's sentence it matches (None for new)
    score: float = 0.0  # the shingle overlap with ``previous``


@dataclass(frozen=True)
class SectionComparison:
    code: str
    heading: str  # as printed this year ('' when only last year prints the section)
    previous_heading: str  # as printed last year ('' when only this year prints it)
    similarity: float | None  # None when one year lacks the section
    carried_share: float | None
    sentences: tuple[SentenceMatch, ...] = ()
    dropped: tuple[str, ...] = ()  # last year's sentences not found this year

    def of_status(self, status: str) -> list[str]:
        return [s.text for s in self.sentences if s.status == status]


@dataclass(frozen=True)
class Comparison:
    """Year ``year`` of a report's text against ``previous_year``."""

    year: int | None
    previous_year: int | None
    sections: tuple[SectionComparison, ...]
    findings: tuple[str, ...] = ()
    problems_then: tuple[str, ...] = ()  # last year's problems (存在的主要问题)
    improvements_now: tuple[str, ...] = ()  # this year's 改进情况
    missing: tuple[str, ...] = field(default=())  # codes printed in one year only

    def section(self, code: str) -> SectionComparison | None:
        return next((s for s in self.sections if s.code == code), None)


def by_code(sections: Iterable[Section]) -> dict[str, tuple[str, str]]:
    """code → (heading, text) in first-seen order; sections of one code are joined."""
    out: dict[str, tuple[str, str]] = {}
    for s in sections:
        if s.code in out:
            heading, text = out[s.code]
            out[s.code] = (heading, f"{text}\n{s.heading}\n{s.text}".strip())
        else:
            out[s.code] = (s.heading, s.text)
    return out


def compare_sections(
    current: Sequence[Section],
    previous: Sequence[Section],
    *,
    year: int | None = None,
    previous_year: int | None = None,
) -> Comparison:
    """This year's sections (``current``) against last year's (``previous``)."""
    now, then = by_code(current), by_code(previous)
    codes = list(now) + [c for c in then if c not in now]
    out = []
    for code in codes:
        if code in now and code in then:
            out.append(_compare(code, now[code], then[code]))
        elif code in now:
            heading, text = now[code]
            matches = tuple(SentenceMatch(s, "new") for s in sentences(text))
            out.append(SectionComparison(code, heading, "", None, None, matches))
        else:
            heading, text = then[code]
            out.append(SectionComparison(code, "", heading, None, None, (), tuple(sentences(text))))
    findings = []
    problems = next((s for s in out if s.code == "problems"), None)
    if problems is not None and problems.carried_share is not None:
        if problems.carried_share >= COPIED_SHARE:
            findings.append(COPIED_PROBLEMS)
    then_issues = split_problems(then["problems"][1])[0] if "problems" in then else []
    now_improvements = split_problems(now["problems"][1])[1] if "problems" in now else []
    missing = tuple(c for c in codes if (c in now) != (c in then))
    return Comparison(
        year,
        previous_year,
        tuple(out),
        tuple(findings),
        tuple(then_issues),
        tuple(now_improvements),
        missing,
    )


def compare_reports(current: Report, previous: Report) -> Comparison:
    """Two reports' texts (usually one body's year Y and Y − 1)."""
    return compare_sections(
        current.sections, previous.sections, year=current.year, previous_year=previous.year
    )


def compare_series(by_year: Mapping[int, Sequence[Section]]) -> list[Comparison]:
    """Each year of a body's series against the year before it (years without a report of the
    year before are compared with none: a gap is not bridged)."""
    years = sorted(by_year)
    return [
        compare_sections(by_year[y], by_year[y - 1], year=y, previous_year=y - 1)
        for y in years
        if y - 1 in by_year
    ]


def sections_by_year(frame) -> dict[int, list[Section]]:
    """Rows of :func:`govstats.load_sections` for one body as year → its sections."""
    out: dict[int, list[Section]] = {}
    for row in frame.itertuples(index=False):
        section = Section(row.code, row.heading, row.text, row.source)
        out.setdefault(int(row.year), []).append(section)
    return out


def body_comparisons(body: str, years=None, *, db=None) -> list[Comparison]:
    """A stored body's text, each year against the year before (:func:`compare_series` of
    :func:`govstats.load_sections`); ``body`` as :func:`govstats.load` takes it (one body)."""
    from govstats.store.sections import load_sections

    frame = load_sections(body=body, years=years, db=db)
    if frame["body"].nunique() > 1:
        raise ValueError(f"{body!r} names {frame['body'].nunique()} bodies; name one")
    return compare_series(sections_by_year(frame))


def _compare(code: str, now: tuple[str, str], then: tuple[str, str]) -> SectionComparison:
    now_sentences, then_sentences = sentences(now[1]), sentences(then[1])
    exact = {exact_key(s): s for s in then_sentences}
    numbered = {number_key(s): s for s in then_sentences}
    then_shingles = [(s, shingles(s)) for s in then_sentences]
    used: set[str] = set()
    matches = []
    for s in now_sentences:
        if exact_key(s) in exact:
            match = SentenceMatch(s, "unchanged", exact[exact_key(s)], 1.0)
        elif number_key(s) in numbered:
            match = SentenceMatch(s, "renumbered", numbered[number_key(s)], 1.0)
        else:
            mine = shingles(s)
            best, score = None, 0.0
            for other, theirs in then_shingles:
                value = jaccard(mine, theirs)
                if value > score:
                    best, score = other, value
            if best is not None and score >= EDITED:
                match = SentenceMatch(s, "edited", best, round(score, 3))
            else:
                match = SentenceMatch(s, "new", None, round(score, 3))
        if match.previous is not None:
            used.add(match.previous)
        matches.append(match)
    total = sum(len(m.text) for m in matches)
    carried = sum(len(m.text) for m in matches if m.status in ("unchanged", "renumbered"))
    return SectionComparison(
        code,
        now[0],
        then[0],
        round(jaccard(shingles(now[1]), shingles(then[1])), 3),
        round(carried / total, 3) if total else None,
        tuple(matches),
        tuple(s for s in then_sentences if s not in used),
    )


def split_problems(text: str) -> tuple[list[str], list[str]]:
    """五、存在的主要问题及改进情况 as (problems, improvements): the improvements start at the
    first sentence that opens with 下一步/改进/整改/针对/… (after an optional （二）) or names
    改进措施/整改措施; a section without one is all problems."""
    parts = sentences(text)
    for i, s in enumerate(parts):
        head = s.lstrip("（(一二三四五六七八九十）) ")
        if head.startswith(_IMPROVEMENT_START) or any(w in s[:12] for w in _IMPROVEMENT_WORDS):
            if i:  # the first sentence opening the section is its problems' introduction
                return parts[:i], parts[i:]
    return parts, []
