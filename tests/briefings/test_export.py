"""govstats.pages: escaping, offline checks, embedded font, index/error pages, safe paths, atomic
writes."""

from __future__ import annotations

import base64
import io
import re

import nbformat
import pytest

from govstats import errors
from govstats.briefings import export, fontsubset, manifest, paths, sanitize

XSS = "<script>alert(1)</script>"


# --- escaping -------------------------------------------------------------------------


def test_sanitize_escapes_scripts_and_keeps_tables():
    html = f'<table><tr><th>机关</th><td onclick="steal()">{XSS}</td></tr></table>{XSS}'
    out = sanitize.sanitize_fragment(html)
    assert "<script" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "<table>" in out and "<th>机关</th>" in out
    assert "onclick" not in out


def test_sanitize_drops_remote_images_and_links_keeps_data_urls():
    out = sanitize.sanitize_fragment(
        '<img src="https://evil.example/x.png"><img src="data:image/png;base64,AAAA">'
        '<a href="javascript:alert(1)">a</a><a href="//evil.example/">b</a>'
    )
    assert "evil.example" not in out and "javascript:" not in out
    assert 'src="data:image/png;base64,AAAA"' in out


def test_sanitize_keeps_inert_styles_drops_loading_ones():
    out = sanitize.sanitize_fragment(
        "<style scoped>.df tbody tr th { vertical-align: top; } a > b {}</style><p>x</p>"
    )
    assert "<style" in out and "a > b" in out  # CSS not mangled into &gt;
    out = sanitize.sanitize_fragment(
        "<style>@import url(https://evil.example/a.css);</style><p>x</p>"
    )
    assert "<style" not in out and "evil.example" not in out


def test_sanitize_placeholder_cannot_be_forged():
    out = sanitize.sanitize_fragment("GOVSTATSSTYLEdeadbeefN0E <p>x</p>")
    assert "<style" not in out


# --- offline checks -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, local",
    [
        ("data:font/woff;base64,AAA", True),
        ("#sec", True),
        ("pingtan/index.html", True),
        ("../index.html", True),
        ("https://cdn.example/require.js", False),
        ("http://x", False),
        ("//cdn.example/x.js", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_local_reference(url, local):
    assert sanitize.is_local_reference(url) is local


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdnjs.cloudflare.com/require.js"></script>',
        "<style>body{background:url(https://x.example/a.png)}</style>",
        "<style>@import 'https://fonts.example/a.css';</style>",
        '<link rel="stylesheet" href="https://x.example/a.css">',
        "<script>alert(1)</script>",
        '<img src="data:image/png;base64,AA" onerror="alert(1)">',
    ],
)
def test_check_page_refuses_remote_or_scripts(html):
    with pytest.raises(errors.UnsafePageError):
        sanitize.check_page(f"<html><head></head><body>{html}</body></html>")


def test_check_page_accepts_local_page():
    sanitize.check_page(
        '<html><body><a href="a/index.html">a</a><img src="data:image/png;base64,AA"></body></html>'
    )


# --- fonts ----------------------------------------------------------------------------


def _embedded_font(html: str):
    from fontTools.ttLib import TTFont

    match = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert match, "no embedded WOFF font"
    return TTFont(io.BytesIO(base64.b64decode(match.group(1))))


def test_embedded_font_covers_the_page_characters():
    html = (
        "<html><head></head><body><h1>平潭综合实验区</h1><p>本"
        "年新收申请154件，较上年下降29.4%。</p></body></html>"
    )
    out = fontsubset.embed_cjk_font(html)
    font = _embedded_font(out)
    cmap = font.getBestCmap()
    for ch in "平潭综合实验区本年新收申请件较上年下降，。":
        assert ord(ch) in cmap, ch
    assert ord("鑫") not in cmap  # a subset, not the whole font
    assert font["name"].getDebugName(1)  # the family name (and licence notice) are kept
    sanitize.check_page(out)


@pytest.mark.slow
def test_font_outside_gb2312_still_embedded():
    out = fontsubset.embed_cjk_font("<html><head></head><body>𠮷野家 堃</body></html>")
    cmap = _embedded_font(out).getBestCmap()
    assert ord("堃") in cmap


def test_font_subset_is_the_same_bytes_at_any_time(monkeypatch):
    """The font's head.modified is the source's, not the clock's: an unchanged page renders
    byte for byte the same (the manifest and diffs of reports/ rely on it)."""
    from fontTools.ttLib.tables import _h_e_a_d

    fontsubset.cjk_font_subset.cache_clear()
    first = fontsubset.cjk_font_subset("平潭综合实验区")
    fontsubset.cjk_font_subset.cache_clear()
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: 4_000_000_000)  # a later clock
    assert fontsubset.cjk_font_subset("平潭综合实验区") == first


def test_page_characters_ignore_styles_and_data_urls():
    html = "<style>/* 注释 */</style><img src='data:image/png;base64,5Lit'><p>中&#25991;</p>"
    assert fontsubset.page_characters(html) == "".join(sorted("中文"))


# --- pages govstats writes -------------------------------------------------------------


def _entry(**kw):
    fields = dict(kind="body", key="pingtan", title="平潭综合实验区", years=(2019, 2020, 2021),
                  status="ok", flags=3, page="pingtan/index.html")  # fmt: skip
    fields.update(kw)
    return manifest.IndexEntry(**fields)


def test_index_escapes_names_and_errors_and_links_relatively():
    entries = [
        _entry(),
        _entry(
            key="body-0123456789",
            title=XSS,
            status="failed",
            flags=None,
            page="body-0123456789/index.html",
            error=f"ValueError: {XSS}",
        ),  # fmt: skip
        _entry(
            kind="region",
            key="320000",
            title="江苏省 各机关对比",
            page="region-320000/index.html",
            status="skipped",
        ),
    ]
    html = manifest.render_index(entries, generated_at="2025-01-01 00:00 UTC")
    sanitize.check_page(html)
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert set(hrefs) == {
        "pingtan/index.html",
        "body-0123456789/index.html",
        "region-320000/index.html",
    }
    assert "2019–2021" in html and "失败" in html and "未变化" in html


def test_error_page_escapes_the_traceback():
    html = export.render_error_page(
        title=XSS, key="x", error=f"\x1b[0;31mValueError\x1b[0m: {XSS}", generated_at="t"
    )
    sanitize.check_page(html)
    assert "\x1b" not in html and "&lt;script&gt;" in html


@pytest.mark.slow
def test_exporter_drops_code_and_escapes_output_html():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 标题"),
        nbformat.v4.new_code_cell("secret_code_line = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("hidden_setup()", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell(
            "display_code()",
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={"text/html": f"<h2>{XSS}</h2>", "text/plain": "x"}
                ),
                nbformat.v4.new_output(
                    "display_data", data={"text/markdown": f"## {XSS}", "text/plain": "y"}
                ),
                nbformat.v4.new_output(
                    "display_data", data={"application/javascript": "alert(2)", "text/plain": "z"}
                ),
            ],
        ),
    ]
    html = export.notebook_to_page(nb, title=f"平潭 {XSS}")
    assert (
        "secret_code_line" not in html and "display_code" not in html and "hidden_setup" not in html
    )
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "alert(2)" not in html
    assert "<h1" in html and "标题" in html
    assert not [u for u in sanitize.references(html) if not sanitize.is_local_reference(u)]


# --- paths and files --------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug", ["../etc", "a/b", "A", "", "-x", "x-", "x..y", "x y", "资阳", "a\\b", "." * 3, "a" * 81]
)
def test_unsafe_slugs_are_refused(slug, tmp_path):
    with pytest.raises(ValueError):
        paths.page_path(tmp_path, slug)


def test_page_path_stays_inside(tmp_path):
    assert (
        paths.page_path(tmp_path, "ziyang-bgs")
        == (tmp_path / "ziyang-bgs" / "index.html").resolve()
    )


def test_write_atomic_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "p" / "index.html"
    paths.write_atomic(target, "old")
    assert target.read_text() == "old"

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(paths.os, "fsync", boom)
    with pytest.raises(OSError):
        paths.write_atomic(target, "new page " * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]  # no temporary left behind


def test_years_text():
    assert export.years_text([2021, 2019, 2020]) == "2019–2021"
    assert export.years_text([2019, 2021]) == "2019, 2021"
    assert export.years_text([]) == "—"
