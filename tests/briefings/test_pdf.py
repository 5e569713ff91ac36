"""Briefings as PDF (``govstats briefings --pdf``).

A small batch (平潭, and 淮安市's comparison with its bodies) is printed by headless Debian
Chromium in two workers; each ``briefing.pdf`` is read back with pdfplumber (not govstats'
reader) and must hold the page's headline sentences and numbered section headings, the running
footer (body · year · 第 n 页 / 共 m 页) on every page, be A4, and draw its Chinese with the
font embedded in the page (``pdffonts``: every font embedded), its charts as vector SVG. The
first page is rendered to PNG with ``pdftoppm`` into ``tests/artifacts/``. Without a browser
the HTML pages are still written, each page fails with one message naming the package to
install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from govstats import cli, store
from govstats.briefings import plan, run
from govstats.briefings.browser import missing_message
from govstats.briefings.printing import (
    PDF_NAME,
    PRINT_FAILED,
    briefed_year,
    footer_css,
    footer_text,
)
from tests.conftest import PROJECT_DIR
from tests.support.chromium import ARTIFACTS, chromium_path

A4 = (595.3, 841.9)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the footer (no browser) ----------------------------------------------------------------


def test_footer_names_body_year_and_pages():
    assert footer_text("淮安市人民政府", 2024) == "淮安市人民政府 · 2024年度"
    assert footer_text("全部机关对比", None) == "全部机关对比"
    css = footer_css("淮安市人民政府", 2024)
    assert "@bottom-center" in css and "counter(page)" in css and "counter(pages)" in css
    assert "淮安市人民政府" in css and "2024年度" in css


def test_footer_cannot_break_out_of_its_string():
    css = footer_css('x"; } </style><script>alert(1)</script> \\ url(a)', 2024)
    string = css.split("content: ", 1)[1].split(" counter(page)", 1)[0]
    inner = string[1:-1]
    assert string[0] == string[-1] == '"'
    assert not set(inner) & set('"<>;{}()'), inner  # all escaped as \\XXXXXX
    assert "\\000022 " in inner and "\\00003c " in inner


def test_briefed_year_is_the_one_the_heading_states():
    assert briefed_year("<h1>x</h1><h2>平潭综合实验区…简报（2025年度）</h2>") == 2025
    assert briefed_year("<h2>一、核心数据</h2>") is None


# --- printing a batch -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "bundled.duckdb"
    store.ingest(
        [PROJECT_DIR / "data" / "raw", PROJECT_DIR / "data" / "extract"], path, progress=False
    )
    return path


@pytest.fixture(scope="module")
def printed(db, tmp_path_factory) -> tuple[Path, run.BatchResult]:
    chromium_path(("poppler-utils",))
    out = tmp_path_factory.mktemp("reports")
    tasks = plan.plan(db, bodies=["pingtan"], regions=["320800"])
    result = run.run(tasks, out, jobs=2, progress=False, pdf=True)
    assert [o.status for o in result.outcomes] == ["ok"] * len(tasks), result.failed
    return out, result


def _pdf_pages(path: Path) -> list[tuple[float, float, str]]:
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(path) as pdf:
        return [(p.width, p.height, p.extract_text() or "") for p in pdf.pages]


def _numbered_headings(html: str) -> list[str]:
    root = lxml.html.document_fromstring(html)
    headings = [h.text_content().strip() for h in root.iter("h2")]
    return [h for h in headings if re.match(r"^[一二三四五六七八九十]+、", h)]


@pytest.mark.browser
@pytest.mark.slow
def test_pdf_of_a_body_holds_its_page(printed):
    out, result = printed
    page = out / "pingtan" / "index.html"
    pdf = out / "pingtan" / PDF_NAME
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-")
    outcome = next(o for o in result.outcomes if o.key == "pingtan")
    assert outcome.pdf == f"pingtan/{PDF_NAME}"
    html = page.read_text(encoding="utf-8")
    pages = _pdf_pages(pdf)
    assert len(pages) >= 3
    text = _squash("".join(t for _, _, t in pages))

    headings = _numbered_headings(html)
    first = ["一、核心数据", "二、收到和处理政府信息公开申请情况", "三、申请办理结果"]
    assert headings[:3] == first
    for heading in headings:
        assert _squash(heading) in text, heading
    root = lxml.html.document_fromstring(html)
    headlines = [li.text_content() for li in root.iter("li") if "较上年" in li.text_content()]
    assert len(headlines) >= 5
    for sentence in headlines:
        assert _squash(sentence) in text, sentence

    # a page break before each numbered section after the first: each begins a page
    starts = [_squash(t)[:40] for _, _, t in pages]
    for heading in headings[1:]:
        assert any(s.startswith(_squash(heading)) for s in starts), heading

    for number, (width, height, page_text) in enumerate(pages, start=1):
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1, (width, height)
        footer = f"平潭综合实验区·2025年度·第{number}页/共{len(pages)}页"
        assert footer in _squash(page_text), (number, page_text[-200:])


@pytest.mark.browser
@pytest.mark.slow
def test_pdf_embeds_the_page_font_and_charts_are_vector(printed):
    out, _ = printed
    pdf = out / "pingtan" / PDF_NAME
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    for row in rows:  # name type encoding emb sub uni object ID: "emb" is fifth from the end
        assert row.split()[-5] == "yes", row
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(pdf) as document:
        cjk = {c["fontname"] for p in document.pages[:2] for c in p.chars if "\u4e00" <= c["text"]}
    # a web font reaches the PDF through Chromium's font sanitiser (OTS); a system font would
    # keep its own name (NotoSansCJKsc-Regular)
    assert cjk and all(name.endswith("OTS-derived-font") for name in cjk), cjk

    # the charts of a printed page are SVG images: vector paths in the PDF, no pixels at all
    html = (out / "pingtan" / "index.html").read_text(encoding="utf-8")
    charts = lxml.html.document_fromstring(html).xpath("//img[@class='govstats-chart']")
    assert len(charts) >= 4
    assert all(img.get("src").startswith("data:image/svg+xml;base64,") for img in charts)
    assert "data:image/png" not in html
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    for row in images:  # a raster image, if any, is at least 200 dpi
        x_ppi, y_ppi = (int(v) for v in row.split()[12:14])
        assert min(x_ppi, y_ppi) >= 200, row

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / "briefing-pingtan-pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    assert (stem.with_suffix(".png")).stat().st_size > 10_000


@pytest.mark.browser
@pytest.mark.slow
def test_pdf_of_a_region_and_the_index_links(printed):
    out, result = printed
    assert {o.key for o in result.outcomes} == {"pingtan", "hongze-qzf", "320800"}
    pages = _pdf_pages(out / "region-320800" / PDF_NAME)
    html = (out / "region-320800" / "index.html").read_text(encoding="utf-8")
    text = _squash("".join(t for _, _, t in pages))
    for heading in _numbered_headings(html):
        assert _squash(heading) in text, heading
    year = briefed_year(html)
    assert year is not None
    assert f"淮安市各机关对比·{year}年度·第1页/共{len(pages)}页" in _squash(pages[0][2])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="region-320800/{PDF_NAME}"' in index and f'href="pingtan/{PDF_NAME}"' in index
    assert not (out / PDF_NAME).exists()  # the index is not printed


@pytest.mark.browser
@pytest.mark.slow
def test_rerun_keeps_printed_pages(printed, db):
    out, _ = printed
    tasks = plan.plan(db, bodies=["pingtan"], regions=["320800"])
    again = run.run(tasks, out, jobs=1, progress=False, pdf=True)
    assert {o.status for o in again.outcomes} == {"skipped"}
    unprinted = run.run(tasks, out, jobs=1, progress=False)  # a printed page stands for it
    assert {o.status for o in unprinted.outcomes} == {"skipped"}
    assert all(o.pdf for o in unprinted.outcomes)
    assert (out / "pingtan" / PDF_NAME).is_file()


# --- without a browser ------------------------------------------------------------------------


@pytest.mark.slow
def test_no_browser_writes_html_and_says_what_to_install(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOVSTATS_CHROMIUM", "no-such-chromium-here")
    out = tmp_path / "reports"
    status = cli.main(
        ["briefings", "--db", str(db), "--out", str(out), "--body", "pingtan", "--jobs", "1",
         "--pdf"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1  # one page asked for, its PDF missing
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"govstats briefings: {missing_message()}"]
    assert "chromium" in lines[0] and "make system-packages" in lines[0]
    page = (out / "pingtan" / "index.html").read_text(encoding="utf-8")
    assert "一、核心数据" in page and "简报生成失败" not in page  # the page, not an error page
    assert not (out / "pingtan" / PDF_NAME).exists()
    manifest = run.read_manifest(out)
    assert manifest["pingtan"]["status"] == "failed"
    assert manifest["pingtan"]["error"].startswith(PRINT_FAILED)
    assert shutil.which("no-such-chromium-here") is None


class _FakeBrowser:
    """Stands in for Chromium: 'prints' any page, fails on pages holding ``fail_on``."""

    started = 0
    fail_on = "平潭综合实验区"
    broken = False  # the next print fails as a dying browser would

    def __init__(self, timeout: float = 60.0) -> None:
        type(self).started += 1

    def print_pdf(self, html: str) -> bytes:
        from govstats.errors import PrintError

        if type(self).broken:
            type(self).broken = False
            raise PrintError("the browser exited")
        if self.fail_on in html:
            raise PrintError("Page.printToPDF: Printing failed")
        return b"%PDF-1.4 fake"

    def close(self) -> None:
        pass


def test_a_browser_that_fails_is_replaced_once(monkeypatch, tmp_path):
    from govstats.briefings import printing
    from govstats.errors import PrintError

    monkeypatch.setattr(printing, "Browser", _FakeBrowser)
    monkeypatch.setattr(_FakeBrowser, "started", 0)
    page = tmp_path / "x" / "index.html"
    page.parent.mkdir()
    page.write_text("<html><head></head><body>ok</body></html>", encoding="utf-8")
    printer = printing.Printer()
    assert printer.print_page(page).read_bytes().startswith(b"%PDF-")
    monkeypatch.setattr(_FakeBrowser, "broken", True)  # the running browser dies: a new one
    assert printer.print_page(page).is_file() and _FakeBrowser.started == 2
    page.write_text("平潭综合实验区", encoding="utf-8")  # fails in a fresh browser too: raised
    with pytest.raises(PrintError, match="Printing failed"):
        printer.print_page(page)
    assert _FakeBrowser.started == 3


@pytest.mark.slow
def test_a_page_that_does_not_print_fails_alone(db, tmp_path, monkeypatch):
    from govstats.briefings import printing

    monkeypatch.setattr(printing, "Browser", _FakeBrowser)
    monkeypatch.setattr(run, "find_chromium", lambda: "/usr/bin/chromium")  # no notice
    out = tmp_path / "reports"
    tasks = plan.plan(db, bodies=["pingtan", "ziyang-bgs"])
    result = run.run(tasks, out, jobs=1, progress=False, pdf=True)
    status = {o.key: o.status for o in result.outcomes}
    assert status == {"pingtan": "failed", "ziyang-bgs": "ok"}
    failed = result.failed[0]
    assert failed.error.startswith(PRINT_FAILED) and "Printing failed" in failed.error
    assert result.exit_status == 1 and result.notice is None
    assert "一、核心数据" in (out / "pingtan" / "index.html").read_text(encoding="utf-8")
    assert not (out / "pingtan" / PDF_NAME).exists()
    assert (out / "ziyang-bgs" / PDF_NAME).read_bytes().startswith(b"%PDF-")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="ziyang-bgs/{PDF_NAME}"' in index and f'href="pingtan/{PDF_NAME}"' not in index


class _SlowBrowser:
    """A browser whose prints wait until the test lets them go (``release``)."""

    release = None  # a threading.Event, set by the test
    printing = None  # set when a print has begun

    def __init__(self, timeout: float = 60.0) -> None:
        pass

    def print_pdf(self, html: str) -> bytes:
        type(self).printing.set()
        assert type(self).release.wait(30), "the test never let the print go"
        return b"%PDF-1.4 slow"

    def close(self) -> None:
        pass


def _outcome(tmp_path: Path, key: str, status: str = "ok"):
    from govstats.briefings.manifest import Outcome

    page = tmp_path / key / "index.html"
    page.parent.mkdir()
    page.write_text("<html><head></head><body>页</body></html>", encoding="utf-8")
    return Outcome(kind="body", key=key, title=key, years=(2024,), status=status,
                   page=f"{key}/index.html", error=None if status == "ok" else "boom",
                   seconds=1.0)  # fmt: skip


def test_rendering_goes_on_while_a_page_prints(monkeypatch, tmp_path):
    """The print stage takes the next rendered page while the first is still printing (the
    workers never wait for a browser); pages that failed to render pass through unprinted,
    every printed page gets its PDF, its seconds include the print's."""
    import threading

    from govstats.briefings import printing

    monkeypatch.setattr(printing, "Browser", _SlowBrowser)
    monkeypatch.setattr(_SlowBrowser, "release", threading.Event())
    monkeypatch.setattr(_SlowBrowser, "printing", threading.Event())
    pulled: list[str] = []

    def rendered():
        for key, status in (("a", "ok"), ("b", "failed"), ("c", "ok")):
            if key != "a":  # the first print has begun and is held: the stage still pulls
                assert _SlowBrowser.printing.wait(30)
                assert not _SlowBrowser.release.is_set()
            pulled.append(key)
            yield _outcome(tmp_path, key, status)
        _SlowBrowser.release.set()  # every page rendered before any print ended

    final = list(printing.print_pages(rendered(), tmp_path, browsers=1))
    assert pulled == ["a", "b", "c"]
    by_key = {o.key: o for o in final}
    assert [o.key for o in final][0] == "b"  # the unrendered page is not held back
    assert by_key["b"].status == "failed" and by_key["b"].pdf is None
    for key in ("a", "c"):
        assert by_key[key].status == "ok" and by_key[key].pdf == f"{key}/{PDF_NAME}"
        assert (tmp_path / key / PDF_NAME).read_bytes().startswith(b"%PDF-")
        assert by_key[key].seconds >= 1.0


def test_browsers_per_batch():
    from govstats.briefings.printing import WORKERS_PER_BROWSER, browsers_for

    assert browsers_for(1) == browsers_for(WORKERS_PER_BROWSER) == 1
    assert browsers_for(WORKERS_PER_BROWSER + 1) == 2
