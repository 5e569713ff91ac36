"""The parse / check / summary subcommands (in-process via main([...]) and one real subprocess)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from govstats import schema
from govstats.cli import main
from tests.conftest import SAMPLE


def test_parse_prints_the_198_values_as_csv(capsys):
    assert main(["parse", str(SAMPLE)]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) == 198
    assert list(frame.columns) == schema.TIDY_COLUMNS + schema.TIDY_EXTRA_COLUMNS
    assert frame.loc[(frame["item"] == "new") & (frame["column"] == "total"), "value"].tolist() == [
        17.0
    ]


def test_parse_json(capsys):
    assert main(["parse", "--format", "json", str(SAMPLE)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 198 and rows[0]["body"] == "资阳市人民政府办公室"


def test_unreadable_input_exits_2_with_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    assert main(["parse", str(junk)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "junk.bin" in err[0] and "Traceback" not in err[0]
    assert main(["check", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err


def test_check_exit_codes(tmp_path, capsys):
    assert main(["check", str(SAMPLE)]) == 0
    assert ": ok" in capsys.readouterr().out
    broken = SAMPLE.read_text(encoding="utf-8").replace("(七)总计 |\n19 |", "(七)总计 |\n18 |")
    path = tmp_path / "broken.txt"
    path.write_text(broken, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "breach R1" in out and "breach R2" in out and "breach R3" in out


@pytest.mark.corpus
def test_check_flags_pingtan_2020_only(corpus_dir, capsys):
    files = sorted(
        str(p) for p in (corpus_dir / "raw").glob("*") if p.suffix in (".html", ".md", ".txt")
    )
    assert main(["check", *files]) == 1
    out = capsys.readouterr().out
    breach_lines = [line for line in out.splitlines() if " breach " in line]
    assert breach_lines and all("2020_pingtan_html" in line for line in breach_lines)


def test_summary_of_a_folder(tmp_path, capsys):
    (tmp_path / "a.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "bad.txt").write_text("这不是报告。", encoding="utf-8")
    assert main(["summary", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert (
        "资阳市人民政府办公室" in captured.out and "198" in captured.out and "2019" in captured.out
    )
    assert "bad.txt" in captured.err


@pytest.mark.slow
def test_real_subprocess():
    result = subprocess.run(
        [sys.executable, "-m", "govstats.cli", "parse", str(SAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 199  # header + 198 values
