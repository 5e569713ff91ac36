"""govstats.batch: the briefing runner on a fixture notebook and on the bundled data.

The fixture notebook (tests/notebooks/briefing.ipynb) prints, draws a chart, and fails,
hangs or kills its kernel on planted bodies, so the runner's behaviour is tested apart from
the analysis; the slow tests run the real notebooks over a store of the bundled data.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from govstats import errors
from govstats.briefings import plan, run, sanitize
from govstats.briefings.manifest import MANIFEST_NAME
from tests.conftest import PROJECT_DIR, ingest_bundled

FIXTURE = str(Path(__file__).parent / "notebooks" / "briefing.ipynb")
XSS = "<script>alert(1)</script>"


def fixture_task(slug: str, **parameters) -> plan.Task:
    params = {"slug": slug, "title": f"示例机关{slug}", **parameters}
    return plan.Task(kind="body", key=slug, title=params["title"], notebook=FIXTURE,
                     parameters=params, years=(2020, 2021), input_hash=f"hash-{slug}",
                     notebook_hash="nb", flags=len(slug))  # fmt: skip


def page_text(out: Path, folder: str) -> str:
    return (out / folder / "index.html").read_text(encoding="utf-8")


# --- the runner on the fixture notebook ---------------------------------------------------


@pytest.fixture(scope="module")
def fixture_batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    tasks = [fixture_task(s, fail_on="bad") for s in ("aa", "bbb", "bad", "cccc")]
    tasks.append(replace(fixture_task("xss", title=XSS), title=XSS))
    result = run.run(tasks, out, jobs=2, progress=False)
    return out, tasks, result


@pytest.mark.slow  # a kernel started and pages rendered
def test_every_page_written_failure_recorded_batch_goes_on(fixture_batch):
    out, tasks, result = fixture_batch
    status = {o.key: o.status for o in result.outcomes}
    assert status == {"aa": "ok", "bbb": "ok", "bad": "failed", "cccc": "ok", "xss": "ok"}
    assert result.exit_status == 1
    bad = next(o for o in result.outcomes if o.key == "bad")
    assert "ValueError: planted failure for bad" in bad.error
    assert "planted failure for bad" in page_text(out, "bad")  # the error page
    for slug, value in (("aa", 14), ("bbb", 21), ("cccc", 28)):
        html = page_text(out, slug)
        assert f"slug={slug} value={value}" in html
        assert "data:image/png;base64," in html  # the chart
        assert "import matplotlib" not in html and "fail_on" not in html  # no code
        assert "<script" not in html.lower()
        sanitize.check_page(html)


@pytest.mark.slow  # a kernel started and pages rendered
def test_index_lists_every_page_with_status_and_flags(fixture_batch):
    out, tasks, result = fixture_batch
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="entry" data-key="([^"]+)" data-status="([^"]+)">', index)
    assert sorted(rows) == sorted(
        [("aa", "ok"), ("bbb", "ok"), ("bad", "failed"), ("cccc", "ok"), ("xss", "ok")]
    )
    assert "ValueError: planted failure for bad" in index
    for slug in ("aa", "bbb", "bad", "cccc", "xss"):
        assert f'href="{slug}/index.html"' in index
    sanitize.check_page(index)


@pytest.mark.slow  # a kernel started and pages rendered
def test_xss_body_renders_as_text(fixture_batch):
    out, _, _ = fixture_batch
    for html in (page_text(out, "xss"), (out / "index.html").read_text(encoding="utf-8")):
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.slow  # a kernel started and pages rendered
def test_rerun_skips_unchanged_and_retries_failures(fixture_batch):
    out, tasks, first = fixture_batch
    before = {t.key: (out / t.key / "index.html").stat().st_mtime_ns for t in tasks}
    changed = replace(tasks[0], input_hash="hash-aa-v2")  # aa's store rows changed
    again = run.run([changed, *tasks[1:]], out, jobs=1, progress=False)
    status = {o.key: o.status for o in again.outcomes}
    assert status == {
        "aa": "ok",
        "bbb": "skipped",
        "bad": "failed",
        "cccc": "skipped",
        "xss": "skipped",
    }
    assert (out / "bbb" / "index.html").stat().st_mtime_ns == before["bbb"]
    assert (out / "aa" / "index.html").stat().st_mtime_ns != before["aa"]
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["pages"]
    assert manifest["bbb"]["flags"] == 3  # carried over for skipped pages
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-key="bbb" data-status="skipped"' in index

    forced = run.run([tasks[1]], out, jobs=1, force=True, progress=False)
    assert [o.status for o in forced.outcomes] == ["ok"]


@pytest.mark.slow  # a kernel started and pages rendered
def test_timeout_and_dead_kernel_are_recorded_and_the_next_body_runs(tmp_path):
    tasks = [
        replace(fixture_task("slow", sleep_on="slow"), timeout=3),
        fixture_task("dies", crash_on="dies"),
        fixture_task("fine"),
    ]
    result = run.run(tasks, tmp_path, jobs=1, progress=False)
    by_key = {o.key: o for o in result.outcomes}
    assert by_key["slow"].status == "failed" and "timed out" in by_key["slow"].error
    assert by_key["dies"].status == "failed" and "kernel died" in by_key["dies"].error.lower()
    assert by_key["fine"].status == "ok"
    assert result.exit_status == 2


@pytest.mark.slow
def test_reused_kernel_is_isolated(tmp_path):
    """A body rendered on a kernel that ran others first equals it rendered on a fresh kernel."""
    reused = run.run(
        [fixture_task("first"), fixture_task("second")], tmp_path / "reused", jobs=1, progress=False
    )
    fresh = run.run(
        [replace(fixture_task("second"), reuse_kernel=False)],
        tmp_path / "fresh",
        jobs=1,
        progress=False,
    )
    assert {o.status for o in reused.outcomes + fresh.outcomes} == {"ok"}
    html = page_text(tmp_path / "reused", "second")
    assert "leaked: False white 60" in html  # namespace, rcParams and pandas options were reset
    assert html == page_text(tmp_path / "fresh", "second")


def test_unsafe_slug_never_becomes_a_path(tmp_path):
    with pytest.raises(ValueError):
        run.run([replace(fixture_task("x"), key="../escape")], tmp_path, jobs=1, progress=False)
    assert not (tmp_path.parent / "escape").exists()


def test_duplicate_folders_refused(tmp_path):
    with pytest.raises(errors.BriefingError):
        run.run([fixture_task("x"), fixture_task("x")], tmp_path, jobs=1, progress=False)


def test_shared_regions():
    assert plan.shared_regions(["320813", "320811", "321322", "512000", "512001", "350128"]) == [
        "320000", "320800", "512000",
    ]  # fmt: skip
    assert plan.shared_regions(["350128"]) == []


@pytest.mark.slow
def test_dask_local_cluster_equals_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    tasks = [fixture_task("aa"), fixture_task("bbb", fail_on="bbb")]
    local = run.run(tasks, tmp_path / "local", jobs=1, progress=False)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            remote = run.run(tasks, tmp_path / "dask", dask_scheduler=client, progress=False)
    statuses = {o.key: o.status for o in remote.outcomes}
    assert statuses == {o.key: o.status for o in local.outcomes} == {"aa": "ok", "bbb": "failed"}
    assert page_text(tmp_path / "dask", "aa") == page_text(tmp_path / "local", "aa")


# --- the real notebooks over the bundled data ---------------------------------------------


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory):
    """A store of the bundled data of this module's own (tests here add bodies to it)."""
    return ingest_bundled(tmp_path_factory.mktemp("store") / "bundled.duckdb")


def _with_xss_body(db: Path) -> None:
    """Add a report whose body is named like a script (read from the bundled sample)."""
    from govstats import read_report, store

    report = read_report(PROJECT_DIR / "data" / "raw" / "2020_ziyang-bgs_txt-pipe.txt")
    store.add_reports([replace(report, body=XSS, report_id="feedfacefeedface")], db)


@pytest.mark.slow
def test_bundled_briefings(bundled_store, tmp_path):
    from govstats import store

    _with_xss_body(bundled_store)
    tasks = plan.plan(bundled_store, all_bodies=True)
    table = store.bodies(bundled_store)
    xss_slug = table.loc[table["body"] == XSS, "slug"].iloc[0]
    planted = replace(
        tasks[0],
        key="planted-failure",
        title="故障机关",
        parameters={**tasks[0].parameters, "years": ["boom"]},
    )
    result = run.run([*tasks, planted], tmp_path, jobs=2, progress=False)
    status = {o.key: o.status for o in result.outcomes}
    assert status.pop("planted-failure") == "failed"
    assert set(status.values()) == {"ok"}, result.failed
    assert {
        "pingtan",
        "ziyang-bgs",
        "hongze-qzf",
        "shuyang-fgj",
        "sh-kewei",
        xss_slug,
        "320000",
        "all",
    } <= set(status)

    # headline numbers as the store holds them, on the page, with no code
    frame = store.load(bundled_store, body="pingtan", years=[2025], table="requests")
    new_total = frame.query("item == 'new' and column == 'total'")["value"].iloc[0]
    html = page_text(tmp_path, "pingtan")
    assert f"本年新收政府信息公开申请{int(new_total)}件" in html
    assert "平潭综合实验区" in html and "data:image/png;base64," in html
    assert "briefing.load_body" not in html and "from govstats" not in html
    for outcome in result.outcomes:
        sanitize.check_page(page_text(tmp_path, outcome.page.split("/")[0]), outcome.page)

    # a body named <script>…</script> renders as text, on its page and on the index
    for html in (
        page_text(tmp_path, xss_slug),
        (tmp_path / "index.html").read_text(encoding="utf-8"),
    ):
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'data-key="planted-failure" data-status="failed"' in index
    assert result.exit_status == 1


@pytest.mark.slow
def test_real_briefing_isolated_on_reused_kernel(bundled_store, tmp_path):
    tasks = {t.key: t for t in plan.plan(bundled_store, bodies=["pingtan", "hongze-qzf"])}
    run.run([tasks["pingtan"], tasks["hongze-qzf"]], tmp_path / "reused", jobs=1, progress=False)
    run.run(
        [replace(tasks["hongze-qzf"], reuse_kernel=False)],
        tmp_path / "fresh",
        jobs=1,
        progress=False,
    )
    assert page_text(tmp_path / "reused", "hongze-qzf") == page_text(
        tmp_path / "fresh", "hongze-qzf"
    )


def test_cli_reports_a_clear_error_without_a_store(tmp_path, capsys):
    from govstats.cli import main

    status = main(
        ["briefings", "--all", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r")]
    )
    assert status == 2
    assert "no store at" in capsys.readouterr().err


@pytest.mark.slow
def test_plan_selects_bodies_regions_and_hashes(bundled_store):
    region = plan.plan(bundled_store, regions=["320000"])
    assert sorted((t.kind, t.key) for t in region) == [
        ("body", "hongze-qzf"),
        ("body", "shuyang-fgj"),
        ("region", "320000"),
    ]
    compare = next(t for t in region if t.kind == "region")
    assert compare.title == "江苏省 各机关对比" and set(compare.members) == {
        "hongze-qzf",
        "shuyang-fgj",
    }
    everything = {t.key: t for t in plan.plan(bundled_store, all_bodies=True)}
    assert {
        "pingtan",
        "ziyang-bgs",
        "hongze-qzf",
        "shuyang-fgj",
        "sh-kewei",
        "320000",
        "all",
    } <= set(everything)
    pingtan = everything["pingtan"]
    assert pingtan.parameters["body"] == "pingtan" and pingtan.years == tuple(range(2019, 2026))
    assert all(t.input_hash and t.notebook_hash for t in everything.values())
    # the same store gives the same hashes; another year selection gives other ones
    assert plan.plan(bundled_store, bodies=["pingtan"])[0].fingerprint == pingtan.fingerprint
    assert (
        plan.plan(bundled_store, bodies=["pingtan"], years=[2025])[0].fingerprint
        != pingtan.fingerprint
    )
    with pytest.raises(errors.BriefingError, match="no body"):
        plan.plan(bundled_store, bodies=["no-such-body"])
    with pytest.raises(errors.BriefingError, match="six-digit"):
        plan.plan(bundled_store, regions=["../x"])


def test_pooled_engine_without_a_kernel_says_so():
    """The pooled papermill engine needs a lent kernel: without one it names the argument
    (it used to fail with an AttributeError on None)."""
    from papermill.engines import papermill_engines

    from govstats.briefings.kernels import register_engine

    engine = papermill_engines.get_engine(register_engine())
    with pytest.raises(ValueError, match="pass kernel="):
        engine.execute_managed_notebook(None, "python3")
