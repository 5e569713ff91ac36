"""The rule catalogue: every rule a check can report, with its code, Chinese title and description.

One :class:`Rule` per code, in :data:`RULES` (code → rule, in the order help texts list them).
A finding's ``rule`` column holds the code and its ``kind`` the rule's kind. The template rules
(:mod:`~govstats.checks.template`), the year-over-year rules (:mod:`~govstats.checks.crossyear`),
the ``govstats check`` help and the generator's planted breaches (:mod:`govstats.synth`) all take
their rules from here: a rule added here is one that some check must report.

==============  ==========  ==================================================================
code            kind        relation (schema.md, template.md §5)
==============  ==========  ==================================================================
R1              breach      table 三, per column: 一 本年新收 + 二 上年结转 = （七）总计 +
                            四 结转下年度
R2              breach      table 三, per row: 总计 = the six applicant columns (or 自然人 +
                            法人或其他组织 when a report prints only the aggregate)
R3              breach      table 三, per column: （七）总计 = the sum of the outcome rows
R4              breach      tables 三 and 四: every printed count is a non-negative integer
R6              breach      table 四, 行政复议: 总计 = 维持 + 纠正 + 其他 + 尚未审结
R7              breach      table 四, 行政诉讼 (直接起诉, 复议后起诉): the same per group
N1, N2          narrative   the narrative's headline numbers agree with table 三 (softer)
N3              narrative   its 办结 agrees with table 三 （七）总计
N4, N5          narrative   its 行政复议 and 行政诉讼 counts agree with table 四's totals
carried_over    crossyear   二 上年结转 of year Y = 四 结转下年度 of year Y−1, per column
in_force        crossyear   现行有效件数 (Y) = 现行有效件数 (Y−1) + 本年制发 − 本年废止
==============  ==========  ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

#: the kinds of findings, with the Chinese heading a briefing gives them
KINDS = {"breach": "勾稽关系不符", "narrative": "正文与表格不一致", "crossyear": "跨年度不一致"}


@dataclass(frozen=True)
class Rule:
    """One rule: ``code`` (a finding's ``rule``), ``kind`` (one of :data:`KINDS`), the ``table``
    its cells are in, ``title`` (Chinese, as a briefing names it), ``description`` (English, as
    the help prints it) and ``per``: what one instance of the rule is about (``column``: one
    applicant column of table 三; ``item``: one row; ``cell``; ``report``: the narrative)."""

    code: str
    kind: str
    table: str
    title: str
    description: str
    per: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("R1", "breach", "requests", "收结平衡（一+二=（七）+四）",
             "table 三, per column: 一 new + 二 carried over = （七） total + 四 carried "
             "forward", "column"),
        Rule("R2", "breach", "requests", "各类申请人之和等于总计",
             "table 三, per row: the total column = the sum of the applicant columns", "item"),
        Rule("R3", "breach", "requests", "办理结果各项之和等于（七）总计",
             "table 三, per column: （七） total = the sum of the outcome rows", "column"),
        Rule("R4", "breach", "requests, review", "件数为非负整数",
             "tables 三 and 四: every printed count is a non-negative integer", "cell"),
        Rule("R6", "breach", "review", "行政复议结果之和等于总计",
             "table 四, administrative review: total = upheld + corrected + other + "
             "pending", "item"),
        Rule("R7", "breach", "review", "行政诉讼结果之和等于总计",
             "table 四, each kind of lawsuit: total = upheld + corrected + other + pending",
             "item"),
        Rule("N1", "narrative", "requests", "正文所述收到申请数与表格一致",
             "the narrative's number of requests received = table 三 一 (or 一 + 二), total "
             "column", "report"),
        Rule("N2", "narrative", "requests", "正文所述结转下年度数与表格一致",
             "the narrative's number carried forward = table 三 四, total column", "report"),
        Rule("N3", "narrative", "requests", "正文所述办结数与表格一致",
             "the narrative's number of requests closed (办结) = table 三 （七） total, total "
             "column", "report"),
        Rule("N4", "narrative", "review", "正文所述行政复议数与表格一致",
             "the narrative's number of administrative reviews = table 四 行政复议 total",
             "report"),
        Rule("N5", "narrative", "review", "正文所述行政诉讼数与表格一致",
             "the narrative's number of lawsuits = table 四 未经复议直接起诉 total + 复议后起诉 "
             "total", "report"),
        Rule("carried_over", "crossyear", "requests", "上年结转等于上年度结转下年度",
             "二 carried over in year Y = 四 carried forward in year Y-1, per column", "column"),
        Rule("in_force", "crossyear", "publication", "现行有效件数前后衔接",
             "2021 template: documents in force (Y) = in force (Y-1) + issued (Y) - "
             "repealed (Y)", "item"),
    )
}  # fmt: skip

#: table 四's groups → the rule of their total
REVIEW_RULES = {"admin_review": "R6", "lawsuit_direct": "R7", "lawsuit_after_review": "R7"}


def rule(code: str) -> Rule:
    """The rule of ``code``; a ``KeyError`` naming the known codes for any other."""
    try:
        return RULES[code]
    except KeyError:
        raise KeyError(f"no rule {code!r} in the catalogue (known: {', '.join(RULES)})") from None


def of_kind(kind: str) -> tuple[Rule, ...]:
    """The rules of one kind (``breach``, ``narrative``, ``crossyear``), in catalogue order."""
    return tuple(r for r in RULES.values() if r.kind == kind)


def help_text(kinds: tuple[str, ...] = tuple(KINDS)) -> str:
    """The rules of ``kinds`` as two lines each (code and title, then the description), for help
    texts."""
    return "\n".join(
        f"  {r.code:<13}{r.title}\n  {'':<13}{r.description}"
        for r in RULES.values()
        if r.kind in kinds
    )
