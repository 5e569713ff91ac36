"""govstats.reading.docx: corpus reports written as Word files (real tables, merged cells as
real gridSpan / vMerge merges), title and preamble paragraphs, and broken files."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest

import govstats
from govstats.errors import ParseError
from govstats.reading import read_document
from govstats.reading.docx import read_docx
from tests.conftest import SAMPLE, corpus_params, truth_for
from tests.support import render, scoring

WORD_SOURCE = re.compile(r"^table \d+ row \d+ cell \d+( \(.*\))?$")


def values_of(report) -> pd.DataFrame:
    frame = report.tidy()[["table", "item", "column", "value"]]
    return frame.sort_values(["table", "item", "column"]).reset_index(drop=True)


def as_docx(source: Path, tmp_path: Path) -> bytes:
    """The report at ``source`` read into a Document and written as a .docx."""
    doc = read_document(source.read_bytes(), source.name)
    return render.document_to_docx(doc, tmp_path / f"{source.stem}.docx").read_bytes()


@pytest.mark.corpus
@pytest.mark.parametrize("entry", corpus_params(("html", "txt", "md")))
def test_corpus_report_as_word_matches_truth(entry, corpus_dir, tmp_path):
    source = corpus_dir / entry["file"]
    original = govstats.read_report(source)
    report = govstats.read_report(as_docx(source, tmp_path), name=f"{source.stem}.docx")
    assert report.format == "docx"
    truth = truth_for(entry)
    assert scoring.matches_truth(scoring.values_of(report), truth) == []
    assert (report.body, report.year, report.template) == (
        truth["body"],
        truth["year"],
        truth["template"],
    )
    pd.testing.assert_frame_equal(values_of(report), values_of(original))
    read = report.tidy()
    read = read[~read["source"].str.contains("derived", na=False)]
    assert read["source"].map(lambda s: bool(WORD_SOURCE.match(str(s)))).all()
    original_breaches = govstats.check(original)
    assert len(govstats.check(report)) == len(original_breaches)


def test_merges_read_as_spans_not_repeated(tmp_path):
    """gridSpan and vMerge come back as colspan/rowspan; continuation cells are not repeated."""
    word = docx.Document()
    word.core_properties.title = ""
    word.add_paragraph("示例市人民政府办公室2021年政府信息公开工作年度报告", style="Title")
    word.add_paragraph("本报告所列数据统计期限为2021年1月1日至2021年12月31日。")
    table = word.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "第二十条第（一）项"
    table.cell(1, 0).merge(table.cell(3, 0)).text = "（三）不予公开"
    for r, label in (
        (1, "1.属于国家秘密"),
        (2, "2.其他法律行政法规禁止公开"),
        (3, "3.危及“三安全一稳定”"),
    ):
        table.cell(r, 1).text = label
        table.cell(r, 2).text = str(r)
        table.cell(r, 3).text = "—"
    word.add_paragraph("结尾段落")
    path = tmp_path / "merged.docx"
    word.save(str(path))
    doc = read_docx(path.read_bytes(), path.name)
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["text", "text", "row", "row", "row", "row", "text"], "body order kept"
    rows = [b for b in doc.blocks if b.kind == "row"]
    assert [(c.text, c.colspan) for c in rows[0].cells] == [("第二十条第（一）项", 4)]
    assert [(c.text, c.rowspan) for c in rows[1].cells][0] == ("（三）不予公开", 3)
    assert [c.text for c in rows[2].cells] == ["2.其他法律行政法规禁止公开", "2", "—"]
    assert rows[2].cells[0].source == "table 1 row 3 cell 2"
    assert doc.title == "示例市人民政府办公室2021年政府信息公开工作年度报告"
    assert {b.table for b in rows} == {1}


def test_deleted_revisions_and_field_codes_are_not_text(tmp_path):
    word = docx.Document()
    p = word.add_paragraph("保留")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    deleted = p._p.makeelement(f"{{{w}}}del", {})
    run = deleted.makeelement(f"{{{w}}}r", {})
    text = run.makeelement(f"{{{w}}}delText", {})
    text.text = "删除"
    run.append(text)
    deleted.append(run)
    p._p.append(deleted)
    path = tmp_path / "rev.docx"
    word.save(str(path))
    assert [b.text for b in read_docx(path.read_bytes(), "rev.docx").blocks] == ["保留"]


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename in replace:
                if replace[item.filename] is not None:
                    dst.writestr(item.filename, replace[item.filename])
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def _minimal_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(
            lambda d: _rezip(d, {"word/document.xml": b"<w:document><w:body><w:p>"}),
            id="malformed-xml",
        ),
        pytest.param(lambda d: _rezip(d, {"[Content_Types].xml": None}), id="no-content-types"),
        pytest.param(lambda d: d[: len(d) // 2], id="truncated-zip"),
        pytest.param(
            lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, id="encrypted-or-doc"
        ),
    ],
)
def test_broken_word_file_clear_error(broken):
    with pytest.raises(ParseError, match=r"broken\.docx"):
        read_docx(broken(_minimal_docx()), "broken.docx")


@pytest.mark.slow
def test_word_file_detected_by_content_not_name(tmp_path):
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} absent")
    data = as_docx(SAMPLE, tmp_path)
    report = govstats.read_report(data, name="report.bin")
    assert report.format == "docx"
    assert len(report.tidy()) == 198
