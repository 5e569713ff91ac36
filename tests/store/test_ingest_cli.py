"""`govstats ingest` on real files: idempotence, versions, failures, kill -9, concurrent writers."""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from govstats import synth
from govstats.cli import main
from govstats.store import connect, ingest_errors, load, read_extract, reports
from tests.conftest import CORPUS_DIR, PROJECT_DIR, SAMPLE, corpus_entries, truth_for
from tests.support import scoring

CLI = [sys.executable, "-m", "govstats.cli"]


def run_cli(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        **kw,
    )


def consistency(db: Path) -> tuple[int, int]:
    """(reports, values) after asserting every stored report has exactly its values."""
    with connect(db, read_only=True, timeout=10) as con:
        partial = con.execute(
            """SELECT r.report_id, r.n_values, count(v.report_id) FROM reports r
               LEFT JOIN "values" v USING (report_id) GROUP BY ALL
               HAVING r.n_values <> count(v.report_id)"""
        ).fetchall()
        orphans = con.execute(
            'SELECT count(*) FROM "values" WHERE report_id NOT IN (SELECT report_id FROM reports)'
        ).fetchall()[0][0]
        duplicates = con.execute(
            "SELECT count(*) FROM (SELECT report_id, seq "
            'FROM "values" GROUP BY ALL HAVING count(*) > 1)'
        ).fetchall()[0][0]
        n_reports, n_values = con.execute(
            'SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM "values")'
        ).fetchall()[0]
    assert partial == [] and orphans == 0 and duplicates == 0
    return n_reports, n_values


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory) -> Path:
    """40 generated reports (10 bodies × 4 years) as HTML files: quick to parse, all distinct."""
    out = tmp_path_factory.mktemp("generated")
    synth.write_corpus(synth.generate(10, range(2021, 2025), seed=7), out, ["html"])
    return out / "raw"


def test_ingest_corpus_twice_and_load_every_truth_value(corpus_dir, tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(corpus_dir / "raw"), "--db", str(db)]) == 0
    n = len(list((corpus_dir / "raw").iterdir()))
    assert capsys.readouterr().out.startswith(f"read {n}, skipped 0 already present, failed 0")
    first = consistency(db)
    assert main(["ingest", str(corpus_dir / "raw"), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith(f"read 0, skipped {n} already present, failed 0")
    assert consistency(db) == first
    for entry in corpus_entries():
        truth = truth_for(entry)
        frame = load(db, body=truth["body"], years=truth["year"])
        assert scoring.matches_truth(scoring.frame_values(frame), truth) == [], entry["file"]
    table = reports(db)
    assert set(table["parser_version"]) == {__import__("govstats").__version__} and set(
        table["origin"]
    ) == {"file"}
    assert table["read_at"].notna().all() and (table["version"] == 1).all()


def test_a_corrected_copy_is_a_new_version_and_the_old_is_kept(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(SAMPLE), "--db", str(db)]) == 0
    old = load(db, body="ziyang-bgs")
    corrected = tmp_path / "corrected.txt"
    text = SAMPLE.read_text(encoding="utf-8")
    corrected.write_text(text + "\n（本报告于次年更正。）\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(tmp_path), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith(
        "read 1 (1 new version), skipped 0 already present, failed 0"
    )
    new = load(db, body="ziyang-bgs")
    assert set(new["version"]) == {2} and set(new["report_id"]) != set(old["report_id"])
    both = load(db, body="ziyang-bgs", all_versions=True)
    kept = both[both["version"] == 1]
    assert set(kept["report_id"]) == set(old["report_id"]) and set(kept["superseded_by"]) == set(
        new["report_id"]
    )
    assert kept["value"].tolist() == old["value"].tolist()
    assert consistency(db) == (2, 2 * len(old))


def test_good_files_stored_and_bad_ones_recorded(tmp_path, capsys):
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "sub" / "ziyang.txt")
    (folder / "notes.txt").write_text("会议纪要：本周讨论了办公用品采购。\n" * 20, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    (folder / "picture.png").write_bytes(
        b"\x89PNG not a report"
    )  # not a report format: passed over
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("read 1, skipped 0 already present, failed 2, ignored 1")
    assert "broken.pdf" in captured.err and "notes.txt" in captured.err
    errors = ingest_errors(db)
    assert sorted(Path(p).name for p in errors["path"]) == ["broken.pdf", "notes.txt"]
    assert errors["reason"].str.len().gt(10).all() and errors["content_hash"].notna().all()
    assert consistency(db)[0] == 1
    # a rerun retries the failures without recording them twice
    assert main(["ingest", str(folder), "--db", str(db)]) == 1
    assert capsys.readouterr().out.startswith("read 0, skipped 1 already present, failed 2")
    assert len(ingest_errors(db)) == 2


def _ingest_bundled_data(db) -> int:
    """``govstats ingest data/raw data/extract --db DB``, what ``make briefings`` runs."""
    data = PROJECT_DIR / "data"
    return main(["ingest", str(data / "raw"), str(data / "extract"), "--db", str(db)])


@pytest.mark.slow
def test_bundled_data_on_a_fresh_clone(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert _ingest_bundled_data(db) == 0
    # the sample parsed from data/raw is the same document as the extract's copy of it
    in_extract = len(
        list(read_extract(PROJECT_DIR / "data" / "extract"))
    )  # the corpus's reports, the sample among them
    assert capsys.readouterr().out.startswith(
        f"read {in_extract}, skipped 1 already present, failed 0"
    )
    table = reports(db)
    assert (table["origin"] == "extract").sum() == in_extract - 1 and (
        table["origin"] == "file"
    ).sum() == 1
    series = load(db, body="pingtan")
    assert sorted(series["year"].unique()) == list(range(2019, 2026))


@pytest.fixture(scope="module")
def many_generated_dir(tmp_path_factory) -> Path:
    """280 generated reports (40 bodies × 7 years) as pipe text: enough for several commits
    of a parallel ingest (128 reports or half a second each)."""
    out = tmp_path_factory.mktemp("many")
    synth.write_corpus(synth.generate(40, range(2019, 2026), seed=5), out, ["txt-pipe"])
    return out / "raw"


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes and SIGKILL")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_9_mid_ingest_leaves_whole_reports_and_a_rerun_completes(
    generated_dir, many_generated_dir, tmp_path, jobs
):
    db = tmp_path / "s.duckdb"
    files = sorted((generated_dir if jobs == "1" else many_generated_dir).iterdir())
    total = len(files)
    folder = tmp_path / "in"
    folder.mkdir()
    for file in files:
        os.link(file, folder / file.name)
    # A named pipe that nobody writes to, found five files before the end: the ingest blocks
    # reading it, so it cannot finish before the kill lands, however late a loaded machine lets
    # this process send it (it used to have ~0.5 s after the 5th line). Before the pipe the
    # ingest commits batches (of 16 or 128 reports); it is usually killed parsing or writing.
    pipe = folder / f"{files[-6].name}~.html"
    os.mkfifo(pipe)
    proc = subprocess.Popen([*CLI, "ingest", str(folder), "--db", str(db), "-v", "--jobs", jobs],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    watchdog = threading.Timer(120, proc.kill)  # never wait forever on a blocked ingest
    watchdog.start()
    stored = 0
    for line in proc.stdout:
        stored += line.startswith("read ")
        if stored == 5:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    watchdog.cancel()
    assert stored == 5, "the ingest should have stored 5 reports before the pipe"
    assert proc.returncode == -signal.SIGKILL
    pipe.unlink()
    n_reports, _ = consistency(db)
    assert 5 <= n_reports <= total - 5, "the ingest should have been interrupted mid-way"
    rerun = run_cli("ingest", str(folder), "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith(
        f"read {total - n_reports}, skipped {n_reports} already present, failed 0"
    )
    assert consistency(db)[0] == total


@pytest.mark.slow
def test_parallel_parsing_stores_what_one_process_stores(generated_dir, tmp_path, capsys):
    """--jobs 2: same reports, versions, errors and per-file lines, in the order found."""
    folder = tmp_path / "in"
    shutil.copytree(generated_dir, folder)
    first = sorted(folder.iterdir())[0]
    (folder / "broken.html").write_text(
        "<html><body>这不是年度报告</body></html>", encoding="utf-8"
    )
    corrected = first.read_text(encoding="utf-8").replace("</body>", "<p>更正</p></body>")
    (folder / "zz_corrected.html").write_text(
        corrected, encoding="utf-8"
    )  # same body and year, found last
    stored = {}
    for jobs in ("1", "2"):
        db = tmp_path / f"j{jobs}.duckdb"
        assert main(["ingest", str(folder), "--db", str(db), "--jobs", jobs, "-v"]) == 1
        out = capsys.readouterr()
        lines = out.out.splitlines()
        assert lines[-1].startswith(
            "read 41 (1 new version), skipped 0 already present, failed 1"
        ), lines[-1]
        assert lines[:-1] == [
            f"{'failed' if p.name == 'broken.html' else 'read'} {p}"
            for p in sorted(folder.iterdir())
        ]
        assert "broken.html" in out.err
        frame = load(db, all_versions=True).drop(columns=["report_id"])
        stored[jobs] = (
            frame,
            reports(db)[["file_name", "version", "superseded_by"]].notna().value_counts(),
            list(ingest_errors(db)["file_name"]),
        )
        assert consistency(db)[0] == 41
    pd.testing.assert_frame_equal(stored["1"][0], stored["2"][0])
    assert stored["1"][1].equals(stored["2"][1]) and stored["1"][2] == stored["2"][2] == [
        "broken.html"
    ]
    assert main(["ingest", str(folder), "--db", str(tmp_path / "j2.duckdb"), "--jobs", "0"]) == 2


@pytest.mark.slow
def test_two_ingests_at_once_lose_and_duplicate_nothing(generated_dir, tmp_path):
    db = tmp_path / "s.duckdb"
    total = len(list(generated_dir.iterdir()))
    procs = [
        subprocess.Popen(
            [*CLI, "ingest", str(generated_dir), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    finished = [out for code, out, _ in results if code == 0]
    for code, out, err in results:
        assert code == 0 or (code == 2 and "store is busy" in err), (code, out, err)
    assert finished, "at least one ingest must finish"
    if len(finished) == 2:
        read = [int(out.split()[1].rstrip(",")) for out in finished]
        assert sum(read) == total  # each file stored by exactly one of them
    assert consistency(db)[0] == total


@pytest.mark.slow
def test_a_busy_store_fails_clearly_and_changes_nothing(tmp_path):
    db = tmp_path / "s.duckdb"
    with connect(db):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
            "print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = run_cli(
            "ingest", str(SAMPLE), "--db", str(db), env={"GOVSTATS_LOCK_TIMEOUT": "0.5"}
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert (
        result.stderr.count("\n") == 1
        and "store is busy" in result.stderr
        and str(db) in result.stderr
    )
    assert consistency(db) == (0, 0)


@pytest.mark.slow
def test_quiet_when_not_a_terminal(tmp_path):
    result = run_cli("ingest", str(SAMPLE), "--db", str(tmp_path / "s.duckdb"), env={"CI": "true"})
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.strip().splitlines() == [
        f"read 1, skipped 0 already present, failed 0 (store {tmp_path / 's.duckdb'})"
    ]


@pytest.mark.slow
def test_check_db_runs_both_kinds_of_checks_over_the_store(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert _ingest_bundled_data(db) == 0
    capsys.readouterr()
    assert main(["check", "--db", str(db)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any("平潭综合实验区 2020" in line and "breach R3" in line for line in out)
    assert any("平潭综合实验区 2023" in line and "crossyear in_force" in line for line in out)
    assert not any("资阳市人民政府办公室" in line for line in out)  # a consistent report
    assert out[-1].endswith(f"in {db}")
    consistent = tmp_path / "ok.duckdb"
    assert main(["ingest", str(SAMPLE), "--db", str(consistent)]) == 0
    assert main(["check", "--db", str(consistent)]) == 0


@pytest.mark.slow
def test_a_fixed_file_clears_its_error(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "report.txt"
    target.write_text("这不是年度报告。\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 1
    assert list(ingest_errors(db)["path"]) == [str(target)]
    shutil.copy(SAMPLE, target)  # the user replaces it with the real report
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    assert ingest_errors(db).empty and consistency(db)[0] == 1


@pytest.mark.slow
def test_progress_bar_on_a_terminal(tmp_path):
    pty = pytest.importorskip("pty")
    fcntl, termios = pytest.importorskip("fcntl"), pytest.importorskip("termios")
    master, slave = pty.openpty()
    fcntl.ioctl(
        slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0)
    )  # 24 rows, 100 columns
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([*CLI, "ingest", str(SAMPLE), "--db", str(tmp_path / "s.duckdb")],
                            stdout=subprocess.PIPE, stderr=slave, env=env)  # fmt: skip
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0
    assert b"ingest: 100%" in drawn and b"1/1" in drawn
    assert proc.stdout.read().startswith(b"read 1, skipped 0 already present, failed 0")


def test_an_original_after_its_extract_stores_its_text(tmp_path):
    """``govstats ingest`` of the bundled extract, then of the originals (in two runs and in
    one): the reports stay as stored, and their text is added once."""
    from govstats.store.sections import load_sections

    originals = CORPUS_DIR / "raw"
    if not originals.is_dir():
        pytest.skip(f"corpus absent: {originals}")
    extract = PROJECT_DIR / "data" / "extract"
    two_runs, one_run = tmp_path / "two.duckdb", tmp_path / "one.duckdb"
    assert main(["ingest", str(extract), "--db", str(two_runs)]) == 0
    assert load_sections(db=two_runs).empty  # an extract holds no text
    for _ in range(2):  # the second run finds the text there and adds nothing
        assert main(["ingest", str(originals), "--db", str(two_runs)]) == 0
    assert main(["ingest", str(extract), str(originals), "--db", str(one_run)]) == 0
    for db in (two_runs, one_run):
        frame = load_sections(db=db)
        with duckdb.connect(str(db), read_only=True) as con:
            stored = {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}
        assert set(frame["report_id"]) == stored
        assert not frame.duplicated(["report_id", "seq"]).any()
