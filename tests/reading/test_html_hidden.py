"""Hidden markup in HTML pages: what a browser does not show is not read.

The reader finds elements hidden by style from the places the raw page prints
``display:none`` (cheap) and falls back to reading every style when a place cannot be
accounted for; both ways must give the same answer.
"""

from __future__ import annotations

import pytest

from govstats.reading import html as H
from govstats.reading import read_document


def _texts(page: str) -> list[str]:
    return [b.text for b in read_document(page.encode("utf-8"), "page.html").blocks]


def _rows(page: str) -> list[list[str]]:
    return [
        [c.text for c in b.cells]
        for b in read_document(page.encode("utf-8"), "page.html").blocks
        if b.kind == "row"
    ]


PAGES = {
    "plain style": '<html><body><p>看得见</p><div style="display:none">看不见</div></body></html>',
    "upper case, spaces": (
        '<html><body><p>看得见</p><DIV STYLE="COLOR:red; DISPLAY : NONE">看不见</DIV></body></html>'
    ),
    "tab and newline": (
        '<html><body><p>看得见</p><div style="display\t:\nnone">看不见</div></body></html>'
    ),
    "> inside another attribute": (
        '<html><body><p>看得见</p><div ms-visible="a.length '
        '> 0" style="display: none">看不见</div></body></html>'
    ),
    "< inside another attribute": (
        '<html><body><p>看得见</p><div title="a<b" data-x="c>d" '
        'style="display:none">看不见</div></body></html>'
    ),
    "tag over several lines": (
        '<html><body><p>看得见</p><div\n  class="x"\n  '
        'style="display:none"\n>看不见</div></body></html>'
    ),
    "entity colon": (
        '<html><body><p>看得见</p><span style="display&#58;none">看不见</span></body></html>'
    ),
    "hidden attribute": "<html><body><p>看得见</p><section hidden>看不见</section></body></html>",
    "hidden attribute, upper case with a value": (
        '<html><body><p>看得见</p><P class="a" HIDDEN="hidden">看不见</P></body></html>'
    ),
    "hidden attribute after a line break": (
        "<html><body><p>看得见</p><p\nhidden\n>看不见</p></body></html>"
    ),
    "hidden attribute, self-closing": (
        "<html><body><p>看得见</p><p>也看得见<input type=text hidden/></p></body></html>"
    ),
    "only in a style sheet": (
        "<html><head><style>.menu{display:none}</style></head><bo"
        "dy><p>看得见</p><p class=menu>也看得见</p></body></html>"
    ),
    "only in a script": (
        '<html><body><script>el.style.cssText="display:none"'
        ";</script><p>看得见</p><p>也看得见</p></body></html>"
    ),
    "only in a comment": (
        '<html><body><!-- <p style="display:none">x</p> '
        "--><p>看得见</p><p>也看得见</p></body></html>"
    ),
    "only in the text": (
        "<html><body><p>看得见</p><p>CSS 的 display:none 也看得见</p></body></html>"
    ),
    "only in another attribute": (
        '<html><body><p>看得见</p><p title="display:none">也看得见</p></body></html>'
    ),
    "same line, two elements": (
        '<html><body><p>看得见</p><b>也看得见</b><b style="display:none">看不见</b></body></html>'
    ),
    "nested hidden": (
        '<html><body><p>看得见</p><div style="display:none"><p '
        'style="display:none">看不见</p>看不见</div></body></html>'
    ),
}


#: pages where the places in the raw page do not settle it: every style is read
NEED_SCAN = {"only in the text", "only in another attribute"}


@pytest.mark.parametrize("name", PAGES)
def test_hidden_text_is_not_read(name):
    texts = _texts(PAGES[name])
    assert "看得见" in texts
    assert not any("看不见" in t for t in texts), texts
    if "也看得见" in PAGES[name]:
        assert any("也看得见" in t for t in texts), texts


@pytest.mark.parametrize("name", PAGES)
def test_places_in_the_page_agree_with_reading_every_style(name):
    page = PAGES[name].encode("utf-8")
    root = H._parse(None, "page.html", page)
    from_page = H._hiding_styles_from_page(root, page.lower())
    by_scan = H._hiding_styles_by_scan(root)
    if name in NEED_SCAN:  # a place no start tag, script, style sheet or comment accounts for
        assert from_page is None
    else:
        assert from_page is not None and set(from_page) == set(by_scan)


def test_a_style_sheet_alone_needs_no_scan(monkeypatch):
    def fail(top):
        raise AssertionError("every style was read although the page hides nothing by style")

    monkeypatch.setattr(H, "_hiding_styles_by_scan", fail)
    assert "也看得见" in " ".join(_texts(PAGES["only in a style sheet"]))
    assert "看不见" not in " ".join(_texts(PAGES["> inside another attribute"]))


def test_overflow_hidden_is_not_the_hidden_attribute(monkeypatch):
    page = (
        '<html><body><p style="overflow: hidden;">看得见</p><p '
        'style="overflow:hidden">也看得见</p></body></html>'
    )
    monkeypatch.setattr(
        H, "_HIDDEN_ATTRS", None
    )  # no need to search the tree (None: it would fail)
    assert _texts(page) == ["看得见", "也看得见"]


def test_text_mentioning_display_none_falls_back_to_reading_every_style(monkeypatch):
    calls = []
    scan = H._hiding_styles_by_scan
    monkeypatch.setattr(H, "_hiding_styles_by_scan", lambda top: calls.append(top) or scan(top))
    assert any("也看得见" in t for t in _texts(PAGES["only in the text"]))
    assert calls


def test_hidden_cell_in_a_report_table_is_skipped_and_hidden_row_is_read():
    page = (
        "<html><body><table>"
        "<tr><td>行政许可</td><td style='display:none'>999</td><td>3</td><td>4</td></tr>"
        "<tr style='display:none'><td>行政处罚</td><td>5</td><td>6</td></tr>"
        "<tr><td>行政强制</td><td>7<span style='display:none'>0</span></td><td>8</td></tr>"
        "</table></body></html>"
    )
    assert _rows(page) == [["行政许可", "3", "4"], ["行政处罚", "5", "6"], ["行政强制", "7", "8"]]


def test_many_places_read_every_style(monkeypatch):
    calls = []
    scan = H._hiding_styles_by_scan
    monkeypatch.setattr(H, "_hiding_styles_by_scan", lambda top: calls.append(top) or scan(top))
    hidden = "".join(f'<p style="display:none">看不见{i}</p>' for i in range(H._MAX_PLACES + 5))
    texts = _texts(f"<html><body><p>看得见</p>{hidden}</body></html>")
    assert texts == ["看得见"]
    assert calls  # looking each place up would cost more than reading every style


def test_corpus_pages_agree(corpus_dir):
    pages = sorted((corpus_dir / "raw").glob("*.html"))
    assert pages
    for path in pages:
        data = path.read_bytes()
        root = H._parse(None, path.name, data)
        from_page = H._hiding_styles_from_page(root, data.lower())
        assert from_page is not None, f"{path.name}: a place was not accounted for"
        assert set(from_page) == set(H._hiding_styles_by_scan(root)), path.name
