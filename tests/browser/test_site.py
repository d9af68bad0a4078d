"""The course's website in a real (headless) browser: `make test-browser` (after `make book`).

Serves build/book/html on loopback and checks what a reader sees: the landing page, a lecture
whose equations MathJax rendered (no raw TeX left) and whose figure loaded, the previous/next
links, the launch and copy buttons, and the API page of wloss.losses.rwwce. Screenshots are
kept in build/browser/ for a person to look at.
"""
import functools
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "book" / "html"
ARTIFACTS = ROOT / "build" / "browser"
LECTURE = "06_rwwce"
NEXT_LECTURE, PREVIOUS_LECTURE = "07_rwwce_max_likelihood", "05_per_example_costs"

from test_jupyterlab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (same Chromium, same flags)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The built site served on 127.0.0.1; built first if `make book` has not run."""
    if not (SITE / "index.html").is_file():
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py")], check=True, cwd=ROOT)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(site):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.errors = errors
        yield tab
        browser.close()


def test_landing_page(page, site):
    page.goto(f"{site}/index.html")
    page.screenshot(path=str(ARTIFACTS / "site-index.png"))
    assert page.locator("article h1").first.inner_text().strip().startswith("Weighted Losses")
    text = page.locator("article").inner_text()
    assert "make lab" in text and "make test" in text  # the two commands
    assert page.locator("article table a[href='lectures/06_rwwce.html']").count() == 1  # the course map
    navigation = page.locator("nav.bd-docs-nav")
    for caption in ("Lectures", "Exercises", "Solutions", "API reference"):
        assert caption in navigation.inner_text()


def test_lecture_equations_render_and_figures_load(page, site):
    page.goto(f"{site}/lectures/{LECTURE}.html")
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
    page.wait_for_function(  # every math element MathJax was given has been typeset
        "() => [...document.querySelectorAll('article .math')].every(m => m.querySelector('mjx-container'))",
        timeout=60_000)
    rendered = page.locator("article mjx-container").count()
    assert rendered >= 10
    prose = page.locator("article").evaluate(
        "a => [...a.querySelectorAll('p, li')].map(e => e.innerText).join('\\n')")
    assert not re.search(r"\$[^$\n]*\\[a-zA-Z]+", prose), "raw $...$ TeX left in the text"
    assert "\\frac" not in prose and "\\sum" not in prose
    figure = page.locator("article .cell_output img").first
    figure.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle(),
                           timeout=30_000)
    assert figure.evaluate("img => img.naturalWidth") > 100
    page.screenshot(path=str(ARTIFACTS / f"site-{LECTURE}.png"))
    assert not page.errors, page.errors


def test_launch_copy_and_run_it_notes(page, site):
    page.goto(f"{site}/lectures/{LECTURE}.html")
    binder = page.locator("a[href*='mybinder.org/v2/gh/']").first
    href = binder.get_attribute("href")
    assert f"lab/tree/lectures/{LECTURE}.ipynb" in href
    assert "make lab" in page.locator("article .admonition.tip").first.inner_text()
    assert page.locator("article div.highlight button.copybtn").count() >= 1
    page.goto(f"{site}/solutions/{LECTURE}.html")
    assert page.locator("article h1").first.inner_text().startswith("Solution")
    assert "Try the exercise first" in page.locator("article .admonition.important").first.inner_text()


def test_next_and_previous_links(page, site):
    page.goto(f"{site}/lectures/{LECTURE}.html")
    page.click("a.right-next")
    page.wait_for_url(f"**/lectures/{NEXT_LECTURE}.html")
    assert page.locator("article h1").first.inner_text().startswith("07")
    page.click("a.left-prev")
    page.wait_for_url(f"**/lectures/{LECTURE}.html")
    page.click("a.left-prev")
    page.wait_for_url(f"**/lectures/{PREVIOUS_LECTURE}.html")
    assert page.locator("article h1").first.inner_text().startswith("05")


def test_api_page_of_rwwce(page, site):
    page.goto(f"{site}/api/wloss.losses.html#wloss.losses.rwwce")
    signature = page.locator("[id='wloss.losses.rwwce']")
    assert signature.is_visible()
    assert re.match(r"wloss\.losses\.rwwce\(\s*logits,\s*targets,\s*fn_cost,\s*fp_cost", signature.inner_text())
    body = signature.locator("xpath=following-sibling::dd[1]").inner_text()
    assert "Parameters" in body and "fn_cost" in body
    page.screenshot(path=str(ARTIFACTS / "site-api-rwwce.png"))
