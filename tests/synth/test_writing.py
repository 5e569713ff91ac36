"""govstats.synth.writing: each format's shape, and read_document(write(doc)) keeps the cells."""

from __future__ import annotations

import pytest

from govstats.reading import read_document
from govstats.reading.document import Block, Cell, Document
from govstats.synth.writing import FORMATS, write


def _doc() -> Document:
    rows = [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "", "3"],
        ["行政许可", "12"],
    ]
    blocks = [Block("text", [Cell("二、主动公开政府信息情况", "line 1")], "line 1")]
    blocks += [
        Block("row", [Cell(t, f"r{i}c{j}") for j, t in enumerate(r)], f"r{i}", table=1)
        for i, r in enumerate(rows)
    ]
    return Document("t", "html", blocks, title="示例局2022年政府信息公开工作年度报告")


def test_pipe_text_has_one_cell_per_line():
    text = write(_doc(), "txt-pipe")
    assert "规章 |\n1 |\n|\n3 |\n|" in text


def test_plain_text_keeps_blank_cells_with_tabs():
    assert "规章\t1\t\t3" in write(_doc(), "txt-plain")


def test_run_together_glues_digits():
    assert "规章13" in write(_doc(), "txt-runtogether")


def test_markdown_and_html_tables():
    md = write(_doc(), "markdown")
    assert "| 规章 | 1 |  | 3 |" in md and "|---|---|---|---|" in md
    html = write(_doc(), "html")
    assert "<td>规章</td>" in html and '<meta charset="utf-8">' in html


@pytest.mark.parametrize("fmt", ["txt-plain", "markdown", "html"])
def test_cells_survive_a_round_trip(fmt):
    doc = read_document(write(_doc(), fmt).encode("utf-8"), "x")
    rows = [[c.text for c in b.cells] for b in doc.blocks if b.kind == "row"]
    assert ["规章", "1", "", "3"] in rows
    assert doc.format == fmt


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        write(_doc(), "rtf")
    assert set(FORMATS) == {"txt-pipe", "txt-plain", "txt-runtogether", "markdown", "html"}
