"""The explore notebook in a real JupyterLab, driven in headless Debian chromium via playwright.

Starts ``jupyter lab`` from this environment on a loopback port with a token and throw-away
settings/workspace folders, opens a copy of ``notebooks/01-explore.ipynb`` (so autosave never
touches the committed notebook), runs all cells from the Run menu, saves, and checks that no
cell shows a traceback and that the report tables are rendered. A full-page screenshot is kept
in ``tests/artifacts/jupyterlab-explore.png`` (the sample report read from file) and
``tests/artifacts/jupyterlab-explore-widget.png`` (the interactive view after picking 2020).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from govstats.config import NOTEBOOKS_DIR
from tests.support.chromium import ARTIFACTS, FLAGS, chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = NOTEBOOKS_DIR / "01-explore.ipynb"
#: generous bounds for a 2-core machine shared with other work (seconds)
SERVER_START = 60
RUN_ALL = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def jupyterlab(tmp_path, bundled_store):
    """A running JupyterLab serving a copy of the explore notebook; yields (url, root, token)."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path / "home"
    # no "official Jupyter news?" toast over the screenshot, and no attempt to fetch news
    notification = (
        home
        / "settings"
        / "@jupyterlab"
        / "apputils-extension"
        / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(
        os.environ,
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "mpl"),
        GOVSTATS_DB=str(bundled_store),  # the notebook's default store
    )
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            "--allow-root",  # CI runs as root
            f"--IdentityProvider.token={token}",
            "--LabApp.extension_manager=readonly",  # no registry look-ups from the UI
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={home / 'settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--LabServerApp.collaborative=False",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "jupyter lab did not "
                    f"start:\n{(tmp_path / 'jupyterlab.log').read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield base, root, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _tracebacks(page) -> list[str]:
    """The text of every output on the page that shows a Python traceback."""
    return page.eval_on_selector_all(
        ".jp-OutputArea-output",
        "els => els.map(e => e.textContent).filter(t => t.includes('Traceback'))",
    )


def _wait_for_idle_kernel(base: str, token: str) -> None:
    """Poll the server's REST API until the opened notebook's kernel session reports idle."""
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:
            sessions = json.load(r)
        if any(s.get("kernel", {}).get("execution_state") == "idle" for s in sessions):
            return
        time.sleep(0.5)
    pytest.fail(f"no idle kernel session after {SERVER_START} s: {sessions}")


def test_explore_notebook_runs_in_jupyterlab(jupyterlab):
    playwright = pytest.importorskip("playwright.sync_api")
    executable = chromium_path(("fonts-noto-cjk",))  # CJK glyphs in the UI need a system font
    base, root, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "jupyterlab-explore.png"

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[f for f in FLAGS if not f.startswith("--headless")],
        )
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(SERVER_START * 1000)
            page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            _wait_for_idle_kernel(base, token)  # the notebook's kernel is up before we run anything
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")

            page.locator(".jp-NotebookPanel .jp-Cell").first.click()  # focus the notebook
            page.click(".lm-MenuBar-item:has-text('Run')")  # Run → Run All Cells
            page.click(".lm-Menu-item[data-command='runmenu:run-all']")
            # done: the kernel is idle, no cell is queued or running, and either every cell ran or
            # one failed (Run All stops there; its traceback is reported below)
            page.wait_for_function(
                """() => {
                    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                    const running = prompts.some(p => p.textContent.includes('*'));
                    const all = prompts.length > 0
                        && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                    const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
                        .some(o => o.textContent.includes('Traceback'));
                    const idle = document.querySelector(
                        ".jp-Notebook-ExecutionIndicator[data-status='idle']");
                    return idle !== null && !running && (all || failed);
                }""",
                polling=500,
                timeout=RUN_ALL * 1000,
            )
            report = page.locator(".govstats-report table[data-table='requests']").first
            report.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.screenshot(path=str(screenshot), full_page=False)
            assert not _tracebacks(page), "\n\n".join(_tracebacks(page))[:3000]
            assert report.is_visible()
            tooltip = page.locator(
                ".govstats-report td[data-cell='requests/new/total']"
            ).first.get_attribute("title")
            assert "来源：" in tooltip  # the value's source on hover
            page.keyboard.press("Control+s")
            page.wait_for_selector(".jp-mod-dirty", state="detached")

            # the interactive view: its widgets rendered, and the report of the chosen year inside
            widget = page.locator(".jp-OutputArea-output .widget-vbox").first
            # 机关 and 报表年度 on top, 对比年度 and 本年度 in the 文本对比 tab
            assert widget.locator(".widget-dropdown select").count() == 4
            assert widget.locator(".govstats-report table[data-table='requests']").count() == 1
            # pick another year: the kernel redraws the report inside the widget
            widget.locator(".widget-dropdown select").nth(1).select_option(label="2020")
            page.wait_for_function(
                """() => [...document.querySelectorAll('.widget-vbox .govstats-report')]
                         .some(e => e.textContent.includes('2020年度政府信息公开工作年度报告'))""",
                polling=500,
                timeout=RUN_ALL * 1000,
            )
            assert (
                widget.get_by_text("第二十条第（九）项").count() >= 1
            )  # 2020: the 2019 template's table 1
            # 平潭 2020 as published: outcome rows add up to more than （七）总计 — marked, rule on
            # hover
            breach = widget.locator(".govstats-report td.gs-breach").first
            assert "违反勾稽关系" in breach.get_attribute("title")
            page.set_viewport_size({"width": 1500, "height": 1900})
            widget.locator(".widget-hbox").first.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-explore-widget.png"))
            # the charts tab is drawn when opened, as PNG images with their Chinese labels
            widget.get_by_role("tab", name="图表").click()
            page.wait_for_function(
                "() => document.querySelectorAll('.widget-vbox "
                'img[src^="data:image/png"]\').length >= 4',
                polling=500,
                timeout=RUN_ALL * 1000,
            )
            assert not _tracebacks(page), "\n\n".join(_tracebacks(page))[:3000]
        finally:
            browser.close()

    saved = json.loads((root / NOTEBOOK.name).read_text(encoding="utf-8"))
    code = [c for c in saved["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "not every code cell ran"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, [f"{o['ename']}: {o['evalue']}" for o in errors]
    assert screenshot.stat().st_size > 10_000
