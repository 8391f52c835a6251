"""The built docs site, opened from disk (``file://``) in Debian's chromium driven by playwright:
no request leaves the site's folder (math, theme, search and step-through pages all come from
it), no console error, and the math, the search and an embedded step-through page work.

``.ci/run`` builds the site first, with the README's command, into ``docs/_build/html``;
``TINYGRAD_EDU_DOCS_HTML`` names another built site. Screenshots go to ``docs/_build/screens``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import chromium, need_chromium

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("TINYGRAD_EDU_DOCS_HTML", ROOT / "docs" / "_build" / "html"))
SCREENS = SITE.parent / "screens"

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
PAGES = [
    "index.html",
    "notebooks/01_one_scalar_at_a_time.html",  # TeX math, drawings, an inline step-through page
    "explanation/how-backward-works.html",
    "explanation/speed.html",
    "reference/generated/tinygrad_edu.Value.html",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    need_chromium()
    if not (SITE / "index.html").exists():
        pytest.skip(f"no built site in {SITE}: run the README's sphinx-build command first")
    with chromium(sync_api) as launched:
        yield launched


def visit(browser, page_path: str, query: str = "") -> tuple[object, list[str], list[str]]:
    """Open one page of the site; return it with every request and every console error."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((SITE / page_path).as_uri() + query)
    page.wait_for_load_state("load")
    return page, requests, errors


def outside(requests: list[str]) -> list[str]:
    inside = SITE.resolve().as_uri()
    return [url for url in requests if not url.startswith((inside, "data:", "about:", "blob:"))]


@pytest.mark.parametrize("page_path", PAGES)
def test_a_page_opens_offline_with_no_outside_request_and_no_error(browser, page_path):
    page, requests, errors = visit(browser, page_path)
    page.wait_for_timeout(1500)  # MathJax typesets after load
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / (page_path.replace("/", "_") + ".png")), full_page=False)
    assert requests and not outside(requests), outside(requests)
    assert errors == []
    page.close()


def test_the_notebooks_math_is_typeset_from_the_sites_own_mathjax(browser):
    page, requests, _ = visit(browser, "notebooks/01_one_scalar_at_a_time.html")
    page.wait_for_function("document.querySelectorAll('mjx-container svg').length > 0")
    assert any("/_static/tex-svg.js" in url for url in requests)
    assert page.locator("mjx-container").count() >= 2
    page.close()


def test_a_notebooks_step_through_page_is_live(browser):
    page, _, errors = visit(browser, "notebooks/01_one_scalar_at_a_time.html")
    frame_element = page.locator("iframe[id^='tinygrad-edu-stepper-']").first
    frame_element.scroll_into_view_if_needed()
    frame = frame_element.content_frame
    before = frame.locator(".grad").all_text_contents()
    assert "?" in "".join(before)  # the page opens before the first backward step
    frame.locator("body").click(position={"x": 3, "y": 3})  # the keys go to the page
    page.keyboard.press("End")  # every backward step applied
    page.wait_for_timeout(300)
    shown = frame.locator(".grad").all_text_contents()
    assert shown and "?" not in "".join(shown)  # every gradient arrived
    page.screenshot(path=str(SCREENS / "notebook_stepper.png"))
    assert errors == []
    page.close()


def test_search_works_from_disk(browser):
    page, requests, errors = visit(browser, "search.html", "?q=chain_paths")
    page.wait_for_selector("#search-results li", timeout=15000)
    assert page.locator("#search-results li").count() >= 1
    page.screenshot(path=str(SCREENS / "search.png"))
    assert not outside(requests) and errors == []
    page.close()
