"""A lecture run in JupyterLab in a real (headless) browser, as a student would.

`make test-browser` runs this; it needs Chromium (`apt-get install chromium`)
and is not part of `make test`. It starts `jupyter lab` on loopback over a
copy of the course, opens a lecture, runs all cells from the menu, saves, and
asserts that no cell shows an error and that a figure rendered. A screenshot
is kept in build/browser/ for a person to look at.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "build" / "browser"
LECTURE = os.environ.get("WLOSS_BROWSER_LECTURE", "01_imbalance.ipynb")
# Flags for a headless Chromium in a sandbox without network (no background traffic).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clear_outputs(path: Path) -> None:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    path.write_text(json.dumps(nb))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a throw-away copy of the lectures; yields (url, course_dir)."""
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "lectures", course / "lectures")
    clear_outputs(course / "lectures" / LECTURE)  # so every output seen later came from the browser
    shutil.copy(ROOT / "constraints.txt", course)
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.root_dir={course}", f"--IdentityProvider.token={token}",
         f"--LabApp.workspaces_dir={course / '.workspaces'}"]  # no tabs restored from earlier sessions
        + (["--allow-root"] if os.geteuid() == 0 else []),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within 60 s")
        yield f"{url}/lab/tree/lectures/{LECTURE}?token={token}", course
    finally:
        server.terminate()
        server.wait(timeout=30)


def expected_error(cell) -> bool:
    source = "".join(cell["source"])
    return source.lstrip().startswith("# NBVAL_RAISES_EXCEPTION") or \
        "raises-exception" in cell.get("metadata", {}).get("tags", [])


def run_all_cells_and_save(page, url) -> int:
    """Open the notebook, Run > Run All Cells, wait until every cell ran, save; return the figure count."""
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.click(".jp-NotebookPanel .jp-Cell")  # focus the notebook the menu acts on
    page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=10_000)
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')", timeout=10_000)
    # Every code cell gets an execution count ("[3]:", not "[*]:" or "[ ]:").
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=180_000)
    page.keyboard.press("Control+s")
    page.wait_for_timeout(2_000)
    return page.locator(".jp-RenderedImage img").count()


def test_lecture_runs_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    url, course = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            figures = run_all_cells_and_save(page, url)
        finally:  # keep what the browser showed, also when it timed out
            page.screenshot(path=str(ARTIFACTS / f"{Path(LECTURE).stem}.png"))
            browser.close()

    saved = json.loads((course / "lectures" / LECTURE).read_text())
    code = [c for c in saved["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    errors = [(i, o.get("ename")) for i, c in enumerate(code) if not expected_error(c)
              for o in c["outputs"] if o["output_type"] == "error"]
    assert all(c["execution_count"] for c in code), "some cells did not run"
    assert not errors, f"cells with errors in JupyterLab: {errors}"
    assert figures >= 1, "no figure rendered in the browser"


def test_students_see_no_instructor_tooling(lab):
    """`make lab` (and make test-browser) switch nbgrader's menu and panels off for students."""
    from playwright.sync_api import sync_playwright

    url, _ = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url)
            page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Run')", timeout=60_000)
            menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
            page.click(".lm-MenuBar-itemLabel:text-is('View')")
            view_items = page.locator(".lm-Menu-itemLabel").all_inner_texts()
        finally:
            browser.close()
    assert "Run" in menus and not any("nbgrader" in m.lower() for m in menus), menus
    assert not any("assignment" in item.lower() or "formgrader" in item.lower() for item in view_items), view_items
