"""notebooks/01-explore.ipynb: thin and cleared, nbval over its defaults, papermill with others.

Runs against the bundled data ingested into a temporary store (``bundled_store``), pointed to
by ``GOVSTATS_DB`` for nbval and by the ``db`` parameter for papermill.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from govstats.config import NOTEBOOKS_DIR
from tests.support.nbval import run_nbval

NOTEBOOK = NOTEBOOKS_DIR / "01-explore.ipynb"


def run(out: Path, **parameters) -> nbformat.NotebookNode:
    """Execute the notebook through papermill (fresh kernel, unrelated working directory)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # import cost only, see ../shared/NOTEBOOKS.md
    import papermill

    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=120,
        cwd=str(out.parent),
    )
    return nbformat.read(out, as_version=4)


def shown(nb: nbformat.NotebookNode) -> tuple[str, list[str], set[str]]:
    """All HTML/text shown, the error outputs, and the mime types seen."""
    texts, errors, mimes = [], [], set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                errors.append(f"{out['ename']}: {out['evalue']}")
            data = out.get("data", {})
            mimes |= set(data)
            texts += [
                str(data.get("text/html", "")),
                str(data.get("text/plain", "")),
                str(out.get("text", "")),
            ]
    return "\n".join(texts), errors, mimes


def test_committed_notebook_is_thin_parameterised_and_cleared():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(line.isascii() for line in code[0].source.splitlines()), "parameters must be ASCII"
    for cell in code:
        assert "def " not in cell.source and "class " not in cell.source, cell.source
        if "# NBVAL_CHECK_OUTPUT" not in cell.source:
            assert not cell.outputs and cell.execution_count is None, cell.source
    assert any("govstats.read_report(" in c.source and c.source.count("\n") <= 1 for c in code), (
        "one-line read"
    )
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_nbval_over_the_defaults(bundled_store, tmp_path):
    env = {"GOVSTATS_DB": str(bundled_store), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = run_nbval([NOTEBOOK], tmp_path, env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.mark.slow
def test_other_body_and_years(bundled_store, tmp_path):
    nb = run(
        tmp_path / "out.ipynb",
        db=str(bundled_store),
        body="pingtan",
        first_year=2020,
        last_year=2021,
        year=2020,
    )
    text, errors, mimes = shown(nb)
    assert not errors, errors
    assert "application/vnd.jupyter.widget-view+json" in mimes  # the interactive view
    assert (
        text.count('class="govstats-report"') == 2
    )  # the sample read from file + the stored report
    assert "平潭综合实验区政府信息公开工作年度报告简报（2020年度）" in text
    assert "第二十条第（九）项" in text  # the 2020 report is laid out in the 2019 template
    assert "image/png" in mimes  # charts


@pytest.mark.slow
def test_unknown_body_gets_a_message_not_a_crash(bundled_store, tmp_path):
    nb = run(tmp_path / "out.ipynb", db=str(bundled_store), body="no-such-body")
    text, errors, _ = shown(nb)
    assert not errors, errors
    assert "数据库中没有机关“no-such-body”" in text


@pytest.mark.slow
def test_the_text_comparison_without_the_tab(text_store, tmp_path):
    """The plain ``ex.text_diff()`` cell: a body with three years of text shows the last two
    side by side (the bundled 平潭 has figures only: its cell says there is no text)."""
    db, name = text_store
    nb = run(tmp_path / "text.ipynb", db=str(db), body=name, first_year=2022, last_year=2024)
    text, errors, _ = shown(nb)
    assert not errors, errors
    last = nb.cells[-1]
    assert last.source.strip() == "ex.text_diff()"
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in last.outputs)
    assert "2024年度与2023年度报告文本对比" in html and 'class="s new"' in html
