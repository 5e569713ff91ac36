"""``govstats diff A B``: two report files compared section by section, in text, JSON and a
self-contained, escaped HTML page."""

from __future__ import annotations

import json
import re

import pytest

from govstats import cli
from govstats.narrative import COPIED_PROBLEMS
from govstats.synth import generate
from govstats.synth.narrative import Sentence, narrate
from govstats.synth.printing import render


@pytest.fixture
def pair(tmp_path):
    """Two years of a generated body; this year's problems copied from last year's, with a
    sentence that tries to inject markup."""
    a, b = narrate(generate(1, [2022, 2023], seed=3), seed=3)
    b.narrative["problems"] = [Sentence(s.text, "same") for s in a.narrative["problems"]]
    b.narrative["overview"] = b.narrative["overview"] + [
        Sentence('<script>alert("x")</script>本机关另有说明。', "new")
    ]
    paths = []
    for report in (a, b):
        path = tmp_path / f"{report.year}.txt"
        path.write_text(render(report, "txt-plain"), encoding="utf-8")
        paths.append(str(path))
    return paths


def _run(capsys, *argv):
    status = cli.main(["diff", *argv])
    return status, capsys.readouterr()


def test_text(pair, capsys):
    status, out = _run(capsys, *pair)
    assert status == 0
    assert out.out.startswith("2023.txt (2023) against 2022.txt (2022)")
    assert f"finding: {COPIED_PROBLEMS}" in out.out
    assert re.search(r"^problems\s+100%\s+100%", out.out, re.M)


def test_json(pair, capsys):
    status, out = _run(capsys, *pair, "--format", "json")
    data = json.loads(out.out)
    assert status == 0 and data["year"] == 2023 and data["previous_year"] == 2022
    assert data["findings"] == [COPIED_PROBLEMS]
    problems = next(s for s in data["sections"] if s["code"] == "problems")
    assert {m["status"] for m in problems["sentences"]} == {"unchanged"}


def test_html_is_self_contained_and_escaped(pair, capsys):
    status, out = _run(capsys, *pair, "--format", "html")
    page = out.out
    assert status == 0 and page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert not re.search(r"""(?:src|href)\s*=|@import|url\(""", page)
    assert 'class="s new"' in page and 'class="s unchanged"' in page
    assert "上年问题与本年改进情况" in page


def test_an_unreadable_file(pair, capsys, tmp_path):
    status, out = _run(capsys, str(tmp_path / "none.txt"), pair[1])
    assert status == 2 and "none.txt" in out.err and out.out == ""
