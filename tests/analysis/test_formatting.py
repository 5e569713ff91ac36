"""govstats.analysis.formatting: numbers and year-on-year phrases as a Chinese report prints
them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from govstats.analysis import formatting as f


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (154, "件", "154件"),
        (154.0, "件", "154件"),
        (0, "项", "0项"),
        (2.5, "件/百件", "2.5件/百件"),
        (None, "件", "未填报"),
        (pd.NA, "件", "未填报"),
        (math.nan, "件", "未填报"),
        (-15, "项", "-15项"),
    ],
)
def test_fmt_count(value, unit, expected):
    assert f.fmt_count(value, unit) == expected


def test_fmt_percent_and_inf_is_not_printed():
    assert f.fmt_percent(12.345) == "12.3%"
    assert f.fmt_percent(0) == "0.0%"
    assert f.fmt_percent(float("inf")) == f.NOT_REPORTED


@pytest.mark.parametrize(
    ("yuan", "unit", "expected"),
    [
        (242523110.82, "万元", "24252.31万元"),
        (242523110.82, None, "2.43亿元"),
        (380, None, "380元"),
        (2510000, None, "251万元"),
        (12000, "元", "12000元"),
        (None, "万元", "未填报"),
    ],
)
def test_fmt_money_states_its_unit(yuan, unit, expected):
    assert f.fmt_money(yuan, unit) == expected


def test_fmt_money_rejects_unknown_unit():
    with pytest.raises(ValueError, match="unknown money unit"):
        f.fmt_money(1, "美元")


@pytest.mark.parametrize(
    ("current", "previous", "unit", "comparable", "expected"),
    [
        (154, 218, "件", True, "较上年下降29.4%"),
        (70, 21, "件", True, "较上年增长233.3%"),
        (5, 5, "件", True, "与上年持平"),
        (3, 0, "件", True, "上年为0，本年增加3件"),
        (3, None, "件", True, "上年无可比数据"),
        (None, 3, "件", True, "本年未填报"),
        (48.0, 45.9, "%", True, "较上年提高2.1个百分点"),
        (7.4, 17.9, "%", True, "较上年降低10.5个百分点"),
        (10, 8, "件", False, "因报告模板变更，与上年不可比"),
    ],
)
def test_fmt_change(current, previous, unit, comparable, expected):
    assert f.fmt_change(current, previous, unit, comparable) == expected


def test_sentence():
    assert (
        f.sentence("本年新收政府信息公开申请", 154, 218)
        == "本年新收政府信息公开申请154件，较上年下降29.4%。"
    )
    assert (
        f.sentence("本年新收政府信息公开申请", 23, with_change=False)
        == "本年新收政府信息公开申请23件。"
    )
    assert f.sentence("纠错率", None, 10, "%") == "纠错率无法计算。"
    assert f.fmt_value(1234567.0, "元") == "123.46万元"


def test_a_ratio_that_cannot_be_computed_is_not_called_blank():
    assert f.fmt_value(None, "%") == f.NOT_COMPUTABLE
    assert f.fmt_value(pd.NA, "件/百件") == f.NOT_COMPUTABLE
    assert f.fmt_value(None, "件") == f.NOT_REPORTED


def test_money_row_uses_one_unit():
    assert f.fmt_money_row([242523110.82, 91163600.0, None]) == [
        "24252.31万元",
        "9116.36万元",
        "未填报",
    ]
    assert f.fmt_money_row([380, 12000]) == ["0.04万元", "1.2万元"]
    assert f.fmt_money_row([None]) == ["未填报"]


@pytest.mark.parametrize(
    ("current", "previous", "unit", "comparable", "expected"),
    [
        (154, 218, "件", True, "下降29.4%"),
        (5, 5, "件", True, "持平"),
        (3, 0, "件", True, "上年为0"),
        (48.0, 45.9, "%", True, "提高2.1个百分点"),
        (69, None, "件", False, "不可比（模板变更）"),
        (5, None, "件", True, "—"),
        (5, 4, "件", None, "—"),
        (None, 4, "%", True, "—"),
    ],
)
def test_fmt_change_cell(current, previous, unit, comparable, expected):
    assert f.fmt_change_cell(current, previous, unit, comparable) == expected
