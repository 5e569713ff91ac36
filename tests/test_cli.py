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


def test_synth_offers_exactly_the_formats_it_writes(tmp_path, capsys):
    """``--list-formats`` is what ``--format`` accepts here: each listed one writes a file that
    reads back; the help does not promise formats (pdf, docx) that cannot be rendered."""
    assert main(["synth", "--list-formats"]) == 0
    listed = capsys.readouterr().out.split()
    assert {"txt-pipe", "html", "txt-oneline", "markdown-flat", "pieces-html"} <= set(listed)
    args = ["synth", str(tmp_path), "--bodies", "1", "--years", "2021"]
    assert main(args + [x for f in listed for x in ("--format", f)]) == 0
    assert len(list((tmp_path / "raw").iterdir())) == len(listed)
    assert main(["synth", str(tmp_path), "--format", "no-such-form"]) == 2
    assert "no-such-form" in capsys.readouterr().err
    assert main(["synth"]) == 2


# --- bodies and resolve (issue 14) ----------------------------------------------------------


def _city_store(tmp_path):
    """A store with bodies of 淮安市 (city, office, department, districts and theirs) and one of
    南京市: generated figures under real names."""
    from govstats import store, synth

    names = ["淮安市人民政府", "淮安市人民政府办公室", "淮安市教育局", "淮安市洪泽区人民政府",
             "洪泽区财政局", "淮安市清江浦区人民政府", "洪泽区高良涧街道办事处",
             "南京市人民政府"]  # fmt: skip
    made = []
    for seed, name in enumerate(names):
        report = synth.to_report(synth.generate_one(seed=seed, year=2023))
        report.body = name
        made.append(report)
    db = tmp_path / "city.duckdb"
    store.add_reports(made, db)
    return db


def test_briefings_region_by_code_and_by_name_plans_every_body_of_the_city(tmp_path):
    from govstats import store
    from govstats.briefings import plan

    db = _city_store(tmp_path)
    by_code = plan.plan(db, regions=["320800"])
    by_name = plan.plan(db, regions=["淮安市"])
    assert [(t.kind, t.key) for t in by_code] == [(t.kind, t.key) for t in by_name]
    bodies = {t.title for t in by_code if t.kind == "body"}
    assert bodies == {"淮安市人民政府", "淮安市人民政府办公室", "淮安市教育局",
                      "淮安市洪泽区人民政府", "洪泽区财政局", "淮安市清江浦区人民政府",
                      "洪泽区高良涧街道办事处"}  # fmt: skip
    (region,) = [t for t in by_code if t.kind == "region"]
    assert (region.key, region.title, len(region.members)) == ("320800", "淮安市 各机关对比", 7)
    district = plan.plan(db, regions=["洪泽区"])
    assert {t.title for t in district if t.kind == "body"} == {
        "淮安市洪泽区人民政府", "洪泽区财政局", "洪泽区高良涧街道办事处"}  # fmt: skip
    assert [t.key for t in district if t.kind == "region"] == ["320813"]
    township = plan.plan(db, regions=["320813001"])
    assert [(t.kind, t.title) for t in township] == [
        ("body", "洪泽区高良涧街道办事处"),
        ("region", "淮安市洪泽区高良涧街道 各机关对比"),
    ]
    assert store.bodies(db).set_index("body").at["洪泽区高良涧街道办事处", "level"] == "township"
    with pytest.raises(Exception, match="朝阳区.*several divisions"):
        plan.plan(db, regions=["朝阳区"])


def test_bodies_lists_unresolved_and_refreshes(tmp_path, capsys):
    from govstats import store, synth

    db = _city_store(tmp_path)
    vague = synth.to_report(synth.generate_one(seed=40, year=2023))
    vague.body = "鼓楼区人民政府"
    store.add_reports([vague], db)
    assert main(["bodies", "--db", str(db), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    assert "jiangsu-huaian-qingjiangpu" in set(table["slug"]) and len(table) == 9
    assert main(["bodies", "--db", str(db), "--unresolved", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["body"] == "鼓楼区人民政府" and row["status"].startswith("ambiguous: 鼓楼区 is")
    assert len(row["candidates"]) == 4 and "320106 南京市鼓楼区" in row["candidates"]
    assert main(["bodies", "--db", str(db), "--unresolved"]) == 0
    assert "鼓楼区人民政府" in capsys.readouterr().out
    assert main(["bodies", "--db", str(db), "--refresh", "--region", "淮安市"]) == 0
    captured = capsys.readouterr()
    assert "re-resolved 9 report(s): 8 resolved, 1 ambiguous, 0 unknown; 0 changed" in captured.err
    assert "jiangsu-huaian-hongze-czj" in captured.out and "南京市" not in captured.out


def test_resolve_prints_csv_and_json(tmp_path, capsys):
    assert main(["resolve", "洪泽区人民政府", "上海市科委"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert list(table.columns) == ["name", "region_code", "region_name", "level", "parent", "slug",
                                   "status"]  # fmt: skip
    assert list(table["region_code"]) == ["320813", "310000"]
    assert list(table["status"]) == ["resolved", "resolved"]
    assert main(["resolve", "朝阳区人民政府", "--format", "json"]) == 1  # not every name placed
    (row,) = json.loads(capsys.readouterr().out)
    assert row["region_code"] == "" and row["status"].startswith("ambiguous: 朝阳区 is 110105")
    text = tmp_path / "report.txt"
    text.write_text("本机关地址：长春市朝阳区人民大街", encoding="utf-8")
    assert main(["resolve", "朝阳区人民政府", "--text", str(text), "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["region_code"], row["level"], row["parent"]) == (
        "220104",
        "county",
        "长春市人民政府",
    )
    assert main(["resolve", "x", "--text", str(tmp_path / "absent.txt")]) == 2
    assert "absent.txt: cannot read" in capsys.readouterr().err
