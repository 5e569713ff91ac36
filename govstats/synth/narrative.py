"""Generated report text with planted carry-overs: the truth the year-on-year comparison is
measured against (:mod:`govstats.narrative`).

:func:`narrate` gives each report of a body's series (years in order) a narrative: for every
section code of :data:`HEADINGS` a list of :class:`Sentence` (text, origin). The first year's
sentences are all ``new``; later years plant, per section, what real reports do:

* ``whole``: the section copied from last year sentence by sentence (``same``);
* otherwise each sentence of last year is carried ``same`` (unchanged), ``renumbered`` (its
  numbers and years changed, nothing else) or dropped, and ``new`` sentences are added;
* 五、存在的主要问题 is either copied (most of it carried: the finding ``problems section largely
  copied from last year`` holds) or written afresh (at most one sentence carried); which one is
  recorded in ``GeneratedReport.narrative_copied``.

How the narrative is printed is a :class:`Form` (``GeneratedReport.narrative_form``): the heading
variants real reports print (:data:`HEADING_VARIANTS`), 五、's heading lost (the text goes from
table 四 to （一）存在的主要问题, as in 上海市科委 2024's PDF extract), a web page's furniture after
the last section (:data:`FURNITURE`); :data:`FORMS` names those the round-trip tests print and
:func:`expected_sections` gives what a reader must find.

New sentences are drawn from phrase banks and never repeat a sentence the body printed before,
not even in other numbers (the comparison would rightly call that carried over). The narrative
draws on its own random stream ``(seed, body index, 7)``: the tables of a seed do not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from govstats.synth.reports import GeneratedReport

#: the headings printed for each section code, in template order
HEADINGS = {
    "overview": "一、总体情况",
    "overview.proactive": "（一）主动公开方面",
    "overview.requests": "（二）依申请公开方面",
    "overview.management": "（三）政府信息管理方面",
    "overview.platforms": "（四）政府信息公开平台建设方面",
    "overview.oversight": "（五）监督保障方面",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
ORIGINS = ("new", "same", "renumbered")

#: the headings real reports print for each code (../shared/template.md §1 and §6, the corpus),
#: the template's first; every one is a heading :mod:`govstats.reading.sections` must recognise
HEADING_VARIANTS = {
    "overview": ("一、总体情况", "一、概述", "一、总体概况", "一、工作概述"),
    "overview.proactive": (
        "（一）主动公开方面",
        "（一）主动公开",
        "（一）主动公开情况",
        "（一）主动公开政府信息情况",
    ),
    "overview.requests": (
        "（二）依申请公开方面",
        "（二）依申请公开",
        "（二）依申请公开情况",
        "（二）政府信息公开申请办理情况",
    ),
    "overview.management": (
        "（三）政府信息管理方面",
        "（三）政府信息管理",
        "（三）政府信息管理情况",
    ),
    "overview.platforms": (
        "（四）政府信息公开平台建设方面",
        "（四）平台建设",
        "（四）政府信息公开平台建设情况",
        "（四）信息公开平台建设方面",
    ),
    "overview.oversight": ("（五）监督保障方面", "（五）监督保障", "（五）监督保障情况"),
    "problems": (
        "五、存在的主要问题及改进情况",
        "五、存在的主要问题和改进情况",
        "五、存在问题及改进情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
        "五、存在的主要问题及整改措施",
        "五、存在的主要问题和改进措施",
    ),
    "other": ("六、其他需要报告的事项", "六、其他需要报告事项", "六、其他需报告的事项"),
}
assert all(v[0] == HEADINGS[c] for c, v in HEADING_VARIANTS.items())
#: the sub-headings of 五、 (problems, then improvements) where its own heading is lost
#: (上海市科委 2024's PDF extract): the problems section starts at the first
PROBLEMS_PARTS = ("（一）存在的主要问题", "（二）改进情况")
#: a web page's furniture after the report (the share and print links, the site's footer)
FURNITURE = (
    "扫一扫在手机上查看当前页面",
    "分享到：",
    "【打印本页】",
    "【关闭窗口】",
    "主办单位：示例市人民政府办公室　网站标识码：9900000001　示例ICP备00000000号",
)


@dataclass(frozen=True)
class Form:
    """How a generated narrative is printed (:func:`govstats.synth.printing.to_document`):
    ``headings`` (code → heading, :data:`HEADING_VARIANTS`), ``lost_problems_heading`` (五、's
    heading left out: the text goes from table 四 straight to :data:`PROBLEMS_PARTS`) and
    ``furniture`` (lines printed after the last section)."""

    headings: tuple[tuple[str, str], ...] = tuple(HEADINGS.items())
    lost_problems_heading: bool = False
    furniture: tuple[str, ...] = ()

    def heading(self, code: str) -> str:
        return dict(self.headings)[code]


def form(variant: int = 0, *, lost_problems_heading: bool = False, furniture: bool = False) -> Form:
    """A form printing the ``variant``-th heading of every code (wrapping round)."""
    headings = tuple((c, v[variant % len(v)]) for c, v in HEADING_VARIANTS.items())
    return Form(headings, lost_problems_heading, FURNITURE if furniture else ())


#: the forms the round-trip tests print: every heading variant, the lost heading, the furniture
FORMS = {
    "template": form(0),
    **{f"variants-{n}": form(n) for n in range(1, max(map(len, HEADING_VARIANTS.values())))},
    "lost-problems-heading": form(0, lost_problems_heading=True),
    "furniture": form(0, furniture=True),
    "all": form(3, lost_problems_heading=True, furniture=True),
}


def expected_sections(
    report: GeneratedReport, printed: Form | None = None
) -> list[tuple[str, str, str]]:
    """``(code, heading, text)`` of the sections a reader must find in ``report`` printed in
    ``printed`` (default: ``report.narrative_form`` or the template's): text as printed, its
    paragraphs joined by newlines (a reader joins a section's blocks so)."""
    printed = printed or report.narrative_form or Form()
    out = []
    for code in HEADINGS:
        if code == "problems" and printed.lost_problems_heading:
            issues, improvements = problems_parts(report)
            text = "\n".join([issues] + ([PROBLEMS_PARTS[1], improvements] if improvements else []))
            out.append((code, PROBLEMS_PARTS[0], text))
        else:
            out.append((code, printed.heading(code), text_of(report, code)))
    return out


def problems_parts(report: GeneratedReport) -> tuple[str, str]:
    """The problems section's text in two: the problems, then the improvements (from the first
    sentence opening with 下一步)."""
    sentences = [s.text for s in (report.narrative or {}).get("problems", [])]
    first = next((i for i, t in enumerate(sentences) if t.startswith("下一步")), len(sentences))
    return "".join(sentences[:first]), "".join(sentences[first:])


@dataclass(frozen=True)
class Sentence:
    text: str
    origin: str  # one of ORIGINS


@dataclass(frozen=True)
class Plan:
    """Rates of the planted carry-overs (per section, per sentence, per problems section)."""

    whole: float = 0.15
    same: float = 0.3
    renumbered: float = 0.2
    problems_copied: float = 0.35
    new_sentences: tuple[int, int] = (2, 5)


PLAN = Plan()

_SUBJECTS = ("本机关", "我单位", "各业务科室", "办公室", "各责任部门", "公开工作小组", "相关处室")
_VERBS = (
    "持续完善",
    "进一步规范",
    "认真落实",
    "全面梳理",
    "不断优化",
    "扎实推进",
    "严格执行",
    "积极探索",
    "统筹做好",
    "着力加强",
)
_OBJECTS = {
    "overview": ("政务公开工作机制", "公开工作年度要点", "公开责任清单", "公开工作台账"),
    "overview.proactive": ("重点领域信息发布", "政策文件公开", "财政预决算公开", "政策解读工作"),
    "overview.requests": ("依申请公开办理流程", "申请登记审核", "答复文书规范", "申请人沟通机制"),
    "overview.management": ("公文公开属性审查", "信息发布审核", "规范性文件清理", "公开目录维护"),
    "overview.platforms": ("门户网站栏目建设", "政务新媒体管理", "公开专区建设", "网站检索功能"),
    "overview.oversight": ("公开工作考核评议", "业务培训", "监督检查", "社会评议工作"),
    "problems": ("政策解读形式", "基层公开标准化建设", "信息更新时效", "公开队伍能力建设"),
    "other": ("信息处理费管理", "人大代表建议公开", "政协提案办理公开", "年度工作要点落实"),
}
_TAILS = (
    "，全年发布相关信息{n}条",
    "，累计开展专项检查{n}次",
    "，组织业务培训{n}场",
    "，覆盖{n}个单位",
    "，确保工作落到实处",
    "，切实提升群众满意度",
    "，推动公开质量稳步提升",
    "，形成长效工作机制",
    "，更新栏目{n}个",
    "，整改问题{n}个",
)
_PROBLEM_PHRASES = (
    "仍不够丰富",
    "有待进一步提升",
    "还存在短板",
    "与群众期待仍有差距",
    "需要进一步加强",
)


def narrate(
    reports: Iterable[GeneratedReport], seed: int = 0, plan: Plan = PLAN
) -> list[GeneratedReport]:
    """The reports (one body's series or several bodies', years in order per body), each given
    ``narrative`` (section code → sentences) and ``narrative_copied`` (the planted finding)."""
    out = list(reports)
    state: dict[int, tuple[np.random.Generator, set[str], dict[str, list[Sentence]]]] = {}
    for report in sorted(out, key=lambda r: (r.body.index, r.year)):
        index = report.body.index
        if index not in state:
            state[index] = (np.random.default_rng([seed, index, 7]), set(), {})
        rng, seen, last = state[index]
        narrative: dict[str, list[Sentence]] = {}
        for code in HEADINGS:
            narrative[code] = _section(code, report, last.get(code), rng, seen, plan)
        report.narrative = narrative
        if last:
            problems = narrative["problems"]
            carried = sum(s.origin != "new" for s in problems)
            report.narrative_copied = carried * 2 > len(problems)
        else:
            report.narrative_copied = False
        state[index] = (rng, seen, narrative)
    return out


def _section(code, report, before, rng, seen, plan) -> list[Sentence]:
    low, high = plan.new_sentences
    if code == "problems":
        return _problems(report, before, rng, seen, plan)
    if before is None:
        return [_fresh(code, report, rng, seen) for _ in range(rng.integers(low, high))]
    if rng.random() < plan.whole:
        return [Sentence(s.text, "same") for s in before]
    out = []
    for s in before:
        carried = _carry(s, rng, seen, plan, keep=False)
        if carried is not None:
            out.append(carried)
    for _ in range(rng.integers(1, high)):
        out.insert(int(rng.integers(0, len(out) + 1)), _fresh(code, report, rng, seen))
    return out


def _fresh(code, report, rng, seen, kind: str = "") -> Sentence:
    return Sentence(_new(code, report, rng, seen, kind), "new")


def _problems(report, before, rng, seen, plan: Plan) -> list[Sentence]:
    """Problems (…有待进一步提升) then improvements (下一步，…): copied from last year or new."""
    if before is not None and rng.random() < plan.problems_copied:
        out = [_carry(s, rng, seen, plan, keep=True) for s in before]
        if rng.random() < 0.5:  # one new improvement at most
            out.append(_fresh("problems", report, rng, seen, "improvement"))
        return [s for s in out if s is not None]
    issues = [_fresh("problems", report, rng, seen, "issue") for _ in range(rng.integers(2, 4))]
    if before is not None and rng.random() < 0.5:  # one of last year's problems kept
        issues.insert(int(rng.integers(0, len(issues))), Sentence(before[0].text, "same"))
    return issues + [
        _fresh("problems", report, rng, seen, "improvement") for _ in range(rng.integers(1, 3))
    ]


def _carry(sentence: Sentence, rng, seen, plan: Plan, *, keep: bool) -> Sentence | None:
    """Last year's sentence carried unchanged or with other numbers; None: dropped."""
    draw = rng.random()
    has_number = bool(re.search(r"\d", sentence.text))
    if has_number and (draw < plan.renumbered or (keep and draw < 0.3)):
        text = re.sub(r"\d+", lambda m: _other_number(m.group(0), rng), sentence.text)
        return Sentence(text, "renumbered")
    if keep or draw < plan.renumbered + plan.same:
        return Sentence(sentence.text, "same")
    return None


def _other_number(number: str, rng) -> str:
    n = int(number)
    if 1990 < n < 2100:  # a year
        return str(n + 1)
    return str(n + int(rng.integers(1, 9)))


def _normal(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _new(code: str, report: GeneratedReport, rng, seen: set[str], kind: str = "") -> str:
    """A sentence of section ``code`` the body never printed before (not even in other numbers);
    ``kind`` for problems: ``issue`` or ``improvement``."""
    for _ in range(1000):
        obj = _OBJECTS[code][rng.integers(len(_OBJECTS[code]))]
        subject = _SUBJECTS[rng.integers(len(_SUBJECTS))]
        if kind == "issue":
            text = f"{subject}{obj}{_PROBLEM_PHRASES[rng.integers(len(_PROBLEM_PHRASES))]}"
        else:
            verb = _VERBS[rng.integers(len(_VERBS))]
            text = f"{subject}{verb}{obj}"
            if kind == "improvement":
                text = f"下一步，{subject}将{verb}{obj}"
        tail = _TAILS[rng.integers(len(_TAILS))].format(n=int(rng.integers(2, 400)))
        if kind != "improvement" and rng.random() < 0.3:
            text = f"{report.year}年，{text}"
        text = f"{text}{tail}。"
        if _normal(text) not in seen:
            seen.add(_normal(text))
            return text
    raise RuntimeError(f"no new sentence left for {code}")  # pragma: no cover (banks are large)


def text_of(report: GeneratedReport, code: str) -> str:
    """The printed text of one section of ``report``'s narrative (its sentences joined)."""
    return "".join(s.text for s in (report.narrative or {}).get(code, []))
