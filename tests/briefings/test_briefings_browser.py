"""Rendered briefings in a real headless Chromium (Debian's, installed by the test setup).

Opens ``index.html`` and the 平潭 briefing from file:// with playwright and checks: no console
errors, no request leaves the folder (only file:// and data: URLs), links go to the briefing
and back, and the Chinese text is drawn with the font embedded in the page (Chromium's own
report of the platform fonts used for a node: the embedded web font, not a system font and
not tofu). Screenshots are kept in ``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govstats import store
from govstats.briefings import plan, run
from tests.conftest import PROJECT_DIR
from tests.support.chromium import ARTIFACTS, FLAGS, chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "bundled.duckdb"
    store.ingest(
        [PROJECT_DIR / "data" / "raw", PROJECT_DIR / "data" / "extract"], db, progress=False
    )
    out = tmp_path_factory.mktemp("reports")
    result = run.run(plan.plan(db, bodies=["pingtan"]), out, jobs=1, progress=False)
    assert [o.status for o in result.outcomes] == ["ok"], result.failed
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=executable, args=[f for f in FLAGS if not f.startswith("--headless")]
        )
        yield launched
        launched.close()


def _watch(page) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: requests.append(req.url))
    return errors, requests


def _fonts_used(page, selector: str) -> list[dict]:
    """Chromium's report of the fonts that drew the text of the first node matching ``selector``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no {selector} on the page"
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_index_and_briefing_offline_fonts_links(rendered, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors, requests = _watch(page)

    page.goto((rendered / "index.html").as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate(
        "document.fonts.ready.then(() => document.fonts.check('16px govstats-cjk', '政府信息公开'))"
    )
    used = _fonts_used(page, "h1")
    assert any(
        f["isCustomFont"] and "CJK" in f["familyName"] and f["glyphCount"] >= 8 for f in used
    ), used
    page.screenshot(path=str(ARTIFACTS / "briefings-index.png"), full_page=True)

    page.click('a[href="pingtan/index.html"]')
    page.wait_for_load_state("load")
    assert page.url.endswith("/pingtan/index.html")
    assert "平潭综合实验区" in page.inner_text("body")
    assert page.locator("img[src^='data:image/png']").count() >= 3  # the charts
    heading = page.locator("h1, h2").first
    heading.wait_for()
    used = _fonts_used(page, "h1")
    assert any(f["isCustomFont"] and "CJK" in f["familyName"] for f in used), used
    # tofu would draw different characters as identical boxes: two headings must differ
    page.evaluate(
        """() => {
          for (const [id, text] of [['probe-a', '政府信息公开'], ['probe-b', '申请办理结果']]) {
            const el = document.createElement('div');
            el.id = id; el.textContent = text;
            el.style.cssText =
              "font: 32px 'govstats-cjk'; display: inline-block; padding: 4px; background: #fff";
            document.body.prepend(el);
          }
        }"""
    )
    shot_a = page.locator("#probe-a").screenshot()
    shot_b = page.locator("#probe-b").screenshot()
    assert shot_a != shot_b
    page.evaluate(
        "() => { document.getElementById('probe-a').remove(); "
        "document.getElementById('probe-b').remove(); }"
    )
    page.screenshot(path=str(ARTIFACTS / "briefing-pingtan.png"), full_page=False)

    page.click('a[href="../index.html"]')
    page.wait_for_load_state("load")
    assert page.url.endswith("/index.html") and "/pingtan/" not in page.url

    assert errors == []
    remote = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert remote == []
    page.close()
