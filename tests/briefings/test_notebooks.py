"""The briefing and comparison notebooks: nbval over their defaults, papermill with other
parameters.

Both run against a store built from the bundled data (``data/raw`` + ``data/extract``, as the
main job ingests it) in a temporary folder, pointed to by ``GOVSTATS_DB``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import PROJECT_DIR
from tests.support.nbval import run_nbval

NOTEBOOKS = PROJECT_DIR / "notebooks"
BRIEFING = NOTEBOOKS / "10-briefing.ipynb"
COMPARE = NOTEBOOKS / "20-compare.ipynb"


@pytest.fixture
def bundled_db(bundled_store) -> Path:
    """The session's store of the bundled data (these tests only read it)."""
    return bundled_store


def run(notebook: Path, out: Path, db: Path, **parameters) -> nbformat.NotebookNode:
    """Execute ``notebook`` through papermill in this process (a fresh kernel) from an
    unrelated working directory; return the executed notebook."""
    sys.modules.setdefault("rfc3987_syntax", None)  # see ../shared/NOTEBOOKS.md: import cost only
    import papermill

    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters={"db": str(db), **parameters},
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=120,
        cwd=str(out.parent),
    )
    return nbformat.read(out, as_version=4)


def outputs(nb: nbformat.NotebookNode) -> tuple[str, int, list[str]]:
    """All text and HTML shown (one string), the number of PNG images, the error outputs."""
    texts, images, errors = [], 0, []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                errors.append(f"{out['ename']}: {out['evalue']}")
            data = out.get("data", {})
            images += "image/png" in data
            texts += [
                str(data.get("text/html", "")),
                str(data.get("text/plain", "")),
                str(out.get("text", "")),
            ]
    return "\n".join(texts), images, errors


def test_committed_notebooks_are_thin_and_cleared():
    for path in (BRIEFING, COMPARE):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), path
        for cell in code:
            assert "def " not in cell.source and "class " not in cell.source, (path, cell.source)
            if not cell.source.startswith("# NBVAL_CHECK_OUTPUT"):
                assert not cell.outputs and cell.execution_count is None, (path, cell.source)
        assert all(line.isascii() for line in code[0].source.splitlines()), (
            "parameters must be ASCII"
        )


@pytest.mark.slow
def test_nbval_over_the_defaults(bundled_db, tmp_path):
    result = run_nbval([BRIEFING, COMPARE], tmp_path, {"GOVSTATS_DB": str(bundled_db)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
def test_briefing_across_the_template_break(bundled_db, tmp_path):
    nb = run(
        BRIEFING,
        tmp_path / "pingtan.ipynb",
        bundled_db,
        body="pingtan",
        years=[2020, 2021],
        year=2021,
    )
    text, images, errors = outputs(nb)
    assert not errors
    assert "平潭综合实验区政府信息公开工作年度报告简报（2021年度）" in text
    # truth: 2021 new 70, 2020 new 21; handled 69 vs 21; comparable across the change
    assert "本年新收政府信息公开申请70件，较上年增长233.3%。" in text
    assert "本年办结申请69件，较上年增长228.6%。" in text
    assert "作出行政处罚决定1282件，较上年增长138.3%。" in text
    assert (
        "2022" not in text.split("数据质量")[0].split("简报（2021年度）")[1][:200]
    )  # only the years asked
    assert images == 5
    assert "无报告文本（仅有统计表数据）。" in text  # 平潭 is stored from the tidy extract
    assert "R3" in text  # the 2020 outcome rows (27) exceed （七）总计 (21): listed under 数据质量


@pytest.mark.slow
def test_briefing_of_a_single_2019_template_report(bundled_db, tmp_path):
    text, images, errors = outputs(
        run(BRIEFING, tmp_path / "ziyang.ipynb", bundled_db, body="ziyang-bgs")
    )
    assert not errors
    assert "资阳市人民政府办公室政府信息公开工作年度报告简报（2020年度）" in text
    assert "本年新收政府信息公开申请17件。" in text  # first year: no change stated
    assert "未发现勾稽关系或跨年度不一致" in text
    assert images == 5


@pytest.mark.slow
def test_briefing_shows_the_report_text(text_store, tmp_path):
    from govstats import store

    db, name = text_store
    slug = str(store.bodies(db)["slug"].iloc[0])
    text, _images, errors = outputs(run(BRIEFING, tmp_path / "text.ipynb", db, body=slug))
    assert not errors
    assert f"{name}政府信息公开工作年度报告简报（2024年度）" in text
    assert "2024年较2023年" in text and "2024年度报告较2023年度新增的内容（摘录）" in text
    assert "大部分沿用上年文字（沿用100%）" in text  # the planted copy
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)" in text


@pytest.mark.slow
def test_unknown_body_gets_a_message_not_a_crash(bundled_db, tmp_path):
    text, images, errors = outputs(
        run(BRIEFING, tmp_path / "none.ipynb", bundled_db, body="no-such-body")
    )
    assert not errors
    assert "数据库中没有机关“no-such-body”" in text
    assert images == 0


@pytest.mark.slow
def test_comparison_of_every_body_in_a_year(bundled_db, tmp_path):
    nb = run(COMPARE, tmp_path / "all.ipynb", bundled_db, region=None, year=2023)
    text, images, errors = outputs(nb)
    assert not errors
    assert "全部机关政府信息公开工作年度报告比较（2023年度）" in text
    for body in ("平潭综合实验区", "淮安市洪泽区人民政府", "沭阳县发展和改革局"):
        assert body in text
    assert "无本年度报告" in text  # 资阳 (2020) and 上海科委 (2024) have none for 2023
    assert "81件（第1/1）" in text  # 平潭 2023 new requests, the only city-level body
    assert images == 3
